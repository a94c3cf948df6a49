import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { captureToken } from './api/client';
import { initTheme } from './state/theme';
import './styles.css';
import './theme.css';

if (!window.api) captureToken();
initTheme();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
