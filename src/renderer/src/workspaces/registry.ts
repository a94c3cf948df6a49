import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface Workspace {
  id: string;
  title: string;
  hint: string;
  component: LazyExoticComponent<ComponentType>;
}

/** The app's workspaces, in sidebar order; Ctrl/Cmd+1..8 jumps to them. */
export const workspaces: Workspace[] = [
  { id: 'data', title: 'Data', hint: 'Import files and inspect datasets', component: lazy(() => import('./Data')) },
  { id: 'dashboard', title: 'Dashboard', hint: 'Funnel, segments and trends', component: lazy(() => import('./Dashboard')) },
  { id: 'insights', title: 'Insights', hint: 'Findings, recommendations, guardrails', component: lazy(() => import('./Insights')) },
  { id: 'ask', title: 'Ask', hint: 'Questions about the data', component: lazy(() => import('./Ask')) },
  { id: 'hypotheses', title: 'Hypotheses', hint: 'Testable ideas from the data', component: lazy(() => import('./Hypotheses')) },
  { id: 'experiments', title: 'Experiments', hint: 'Design, analyze, causal checks', component: lazy(() => import('./Experiments')) },
  { id: 'reports', title: 'Reports', hint: 'HTML, Markdown and PDF reports', component: lazy(() => import('./Reports')) },
  { id: 'settings', title: 'Settings', hint: 'Data folder and model provider', component: lazy(() => import('./Settings')) },
];
