import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** Names the part of the app that failed, e.g. the workspace title. */
  area: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * Catches a render error below it so one broken view shows a card with the message and a way
 * back, instead of unmounting the whole app to a blank page (issue 15). The stored data is
 * never affected by a render error, so "Try again" simply renders the view afresh.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Kept in the console for a bug report; the card below is what the user sees.
    console.warn(`IAFA: the ${this.props.area} view failed to render`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="panel render-error" role="alert" data-testid="render-error">
        <header className="panel-head">
          <h2>{this.props.area} could not be shown</h2>
        </header>
        <div className="panel-body">
          <p>
            Something in this view failed to draw: <code>{error.message}</code>
          </p>
          <p className="muted small">Your datasets, funnels and reports are stored and unaffected. Try again, or open another workspace from the sidebar.</p>
          <button type="button" className="primary" onClick={() => this.setState({ error: null })} data-testid="render-error-retry">
            Try again
          </button>
        </div>
      </section>
    );
  }
}
