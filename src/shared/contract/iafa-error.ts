/**
 * The error every call throws across a transport. It lives apart from the zod schemas of
 * errors.ts so that code which only throws it (the import's worker threads) does not load zod
 * and the whole contract at start-up; the kinds here and ErrorKind in errors.ts are the same list.
 */
export type IafaErrorKind = 'validation' | 'not_found' | 'llm_unavailable' | 'cancelled' | 'conflict' | 'rate_limited' | 'internal';

interface IafaErrorPayload {
  kind: IafaErrorKind;
  message: string;
  details?: unknown;
}

interface ZodLikeError {
  name: string;
  issues: { path: PropertyKey[]; message: string }[];
}

export class IafaError extends Error {
  readonly kind: IafaErrorKind;
  readonly details?: unknown;
  constructor(kind: IafaErrorKind, message: string, details?: unknown) {
    super(message);
    this.name = 'IafaError';
    this.kind = kind;
    this.details = details;
  }
  toPayload(): IafaErrorPayload {
    return this.details === undefined ? { kind: this.kind, message: this.message } : { kind: this.kind, message: this.message, details: this.details };
  }
  static from(err: unknown): IafaError {
    if (err instanceof IafaError) return err;
    if (isZodError(err)) return new IafaError('validation', formatZodError(err), err.issues);
    if (isAbort(err)) return new IafaError('cancelled', 'The operation was cancelled.');
    const message = err instanceof Error ? err.message : String(err);
    return new IafaError('internal', message || 'Unexpected error');
  }
  static fromPayload(p: IafaErrorPayload): IafaError {
    return new IafaError(p.kind, p.message, p.details);
  }
}

function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: string }).name === 'AbortError';
}

function isZodError(err: unknown): err is ZodLikeError {
  return err instanceof Error && err.name === 'ZodError' && Array.isArray((err as Partial<ZodLikeError>).issues);
}

/** One line per issue, prefixed with the path, so a CLI user or an HTTP client sees which field is wrong. */
export function formatZodError(err: ZodLikeError): string {
  return err.issues
    .map((i) => {
      const path = i.path.length ? i.path.map(String).join('.') : '(input)';
      return `${path}: ${i.message}`;
    })
    .join('; ');
}
