import { IafaError } from '../../shared/contract';
import type { LlmFailureReason } from './providers/types';

export function llmError(provider: string, reason: LlmFailureReason, message: string, status?: number): IafaError {
  return new IafaError('llm_unavailable', message, status === undefined ? { provider, reason } : { provider, reason, status });
}

export function cancelled(): IafaError {
  return new IafaError('cancelled', 'The generation was cancelled.');
}

export function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && ['AbortError', 'TimeoutError'].includes((err as { name?: string }).name ?? '');
}

/**
 * One signal for a generation: the caller's (user cancel) and a timeout. Which one fired decides
 * the error: a user cancel is `cancelled`, a timeout is `llm_unavailable` so the fallback applies.
 */
export function withTimeout(signal: AbortSignal, timeoutMs: number): { signal: AbortSignal; timedOut: () => boolean; dispose: () => void } {
  const controller = new AbortController();
  let timed = false;
  const timer = setTimeout(() => {
    timed = true;
    controller.abort(new DOMException('timeout', 'TimeoutError'));
  }, timeoutMs);
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timed,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Maps a transport failure to the error the user can act on. A time-out is told apart by the
 * caller, which owns the timer (narrate.ts), before it gets here.
 */
export function mapFailure(err: unknown, provider: string, opts: { signal: AbortSignal; where: string }): IafaError {
  if (err instanceof IafaError) return err;
  if (opts.signal.aborted || isAbortError(err)) return cancelled();
  const code = (err as { cause?: { code?: string } })?.cause?.code ?? (err as { code?: string })?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET') {
    return provider === 'ollama'
      ? llmError(provider, 'not_running', `Ollama is not running at ${opts.where}; start it or choose another provider.`)
      : llmError(provider, 'not_running', `Nothing answers at ${opts.where}; start the server or choose another provider.`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return llmError(provider, 'http_error', `${provider} failed at ${opts.where}: ${message}`);
}
