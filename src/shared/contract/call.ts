import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * A call is declared once, with its schemas and its HTTP route; the IPC handler, the preload
 * allow-list, the renderer client and the HTTP router derive from this object. The CLI's commands
 * are written by hand (src/cli/commands) and call `dispatch` with these schemas' inputs.
 *
 * HTTP input is assembled as: path params + query string (GET/DELETE) or JSON body (others).
 * `progress` declares the shape of the events a long call may stream before its result.
 */
export interface CallDef<Name extends string = string, I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: Name;
  input: I;
  output: O;
  /** `aliases` serve the same call on extra paths (e.g. the seed's funnel-scoped routes). */
  http: { method: HttpMethod; path: string; aliases?: string[] };
  summary: string;
  /** Long calls report progress and can be cancelled. */
  streams?: boolean;
}

export function call<Name extends string, I extends z.ZodType, O extends z.ZodType>(def: CallDef<Name, I, O>): CallDef<Name, I, O> {
  return def;
}

/** Streamed before the final result of a long call. */
export interface ProgressEvent {
  phase: string;
  /** 0..1 when known. */
  fraction?: number;
  message?: string;
  rows?: number;
  bytes?: number;
  totalBytes?: number;
  /** Free-form streamed text (LLM tokens). */
  text?: string;
  /**
   * Set on streamed model text: a draft before grounding, which may hold invented numbers or
   * injected instructions. Show it as a draft at most; only the result is checked.
   */
  unchecked?: true;
  queuePosition?: number;
}
