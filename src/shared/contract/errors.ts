import { z } from 'zod';

/**
 * Every failure that crosses a transport (IPC, HTTP, CLI) carries one of these kinds,
 * so each shell can map it to its own convention (HTTP status, exit code, UI hint)
 * without parsing messages.
 */
export const ErrorKind = z.enum(['validation', 'not_found', 'llm_unavailable', 'cancelled', 'conflict', 'internal']);
export type ErrorKind = z.infer<typeof ErrorKind>;

export const ErrorPayload = z.object({
  kind: ErrorKind,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorPayload = z.infer<typeof ErrorPayload>;

export class IafaError extends Error {
  readonly kind: ErrorKind;
  readonly details?: unknown;
  constructor(kind: ErrorKind, message: string, details?: unknown) {
    super(message);
    this.name = 'IafaError';
    this.kind = kind;
    this.details = details;
  }
  toPayload(): ErrorPayload {
    return this.details === undefined
      ? { kind: this.kind, message: this.message }
      : { kind: this.kind, message: this.message, details: this.details };
  }
  static from(err: unknown): IafaError {
    if (err instanceof IafaError) return err;
    if (err instanceof z.ZodError) return new IafaError('validation', formatZodError(err), err.issues);
    if (isAbort(err)) return new IafaError('cancelled', 'The operation was cancelled.');
    const message = err instanceof Error ? err.message : String(err);
    return new IafaError('internal', message || 'Unexpected error');
  }
  static fromPayload(p: ErrorPayload): IafaError {
    return new IafaError(p.kind, p.message, p.details);
  }
}

function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: string }).name === 'AbortError';
}

/** One line per issue, prefixed with the path, so a CLI user or an HTTP client sees which field is wrong. */
export function formatZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const path = i.path.length ? i.path.join('.') : '(input)';
      return `${path}: ${i.message}`;
    })
    .join('; ');
}

export const HTTP_STATUS: Record<ErrorKind, number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  cancelled: 499,
  llm_unavailable: 503,
  internal: 500,
};
