import { z } from 'zod';
import type { IafaErrorKind } from './iafa-error';

/**
 * Every failure that crosses a transport (IPC, HTTP, CLI) carries one of these kinds,
 * so each shell can map it to its own convention (HTTP status, exit code, UI hint)
 * without parsing messages.
 */
export const ErrorKind = z.enum(['validation', 'not_found', 'llm_unavailable', 'cancelled', 'conflict', 'rate_limited', 'internal']);
export type ErrorKind = z.infer<typeof ErrorKind>;
// The error class spells the kinds out without zod: the two lists must stay the same.
const _sameKinds: [ErrorKind, IafaErrorKind] extends [IafaErrorKind, ErrorKind] ? true : never = true;
void _sameKinds;

export const ErrorPayload = z.object({
  kind: ErrorKind,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorPayload = z.infer<typeof ErrorPayload>;

export { IafaError } from './iafa-error';

export const HTTP_STATUS: Record<ErrorKind, number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  cancelled: 499,
  llm_unavailable: 503,
  /** A model-backed route's queue is full; details.retryAfterSeconds becomes Retry-After. */
  rate_limited: 429,
  internal: 500,
};
