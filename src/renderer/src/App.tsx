import { Suspense, useEffect, useState } from 'react';
import { workspaces } from './workspaces/registry';
import { ErrorBoundary } from './components/ErrorBoundary';
import { PrivacyIndicator } from './components/PrivacyIndicator';

function currentId(): string {
  const id = window.location.hash.replace(/^#\/?/, '').split(/[/?&]/)[0];
  return workspaces.some((w) => w.id === id) ? id : 'data';
}

export function App() {
  const [active, setActive] = useState(currentId);
  useEffect(() => {
    const onHash = () => setActive(currentId());
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && /^[1-8]$/.test(e.key)) {
        e.preventDefault();
        window.location.hash = `#/${workspaces[Number(e.key) - 1].id}`;
      }
    };
    window.addEventListener('hashchange', onHash);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('keydown', onKey);
    };
  }, []);
  const ws = workspaces.find((w) => w.id === active) ?? workspaces[0];
  const View = ws.component;
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Workspaces">
        <div className="brand">IAFA</div>
        <ul>
          {workspaces.map((w, i) => (
            <li key={w.id}>
              <a href={`#/${w.id}`} aria-current={w.id === active ? 'page' : undefined} title={`${w.hint} (Ctrl+${i + 1})`} data-testid={`nav-${w.id}`}>
                {w.title}
              </a>
            </li>
          ))}
        </ul>
        <PrivacyIndicator />
      </nav>
      <main className="content" id="main" tabIndex={-1}>
        <h1 className="ws-title">{ws.title}</h1>
        {/* Keyed by workspace: leaving a view that failed to render clears its error. */}
        <ErrorBoundary key={ws.id} area={ws.title}>
          <Suspense fallback={<div className="empty">Loading…</div>}>
            <View />
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
