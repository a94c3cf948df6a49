import type { CallName, CallOutput, CallParsedInput, ProgressEvent } from '../../shared/contract';
import type { Db } from '../db';
import type { SecretStore } from '../secrets';

/** Per-call context: cancellation and progress reporting, supplied by whichever shell runs the call. */
export interface CallContext {
  signal: AbortSignal;
  progress: (ev: ProgressEvent) => void;
}

/** Long-lived state shared by every handler. */
export interface AppContext {
  /** The app database (drizzle); `db.$client` is its better-sqlite3 connection, for raw SQL and pragmas. */
  db: Db;
  dataDir: string;
  startedAt: number;
  env: NodeJS.ProcessEnv;
  /** Where the OpenAI key is kept: never the database. */
  secrets: SecretStore;
}

export type Handler<K extends CallName> = (input: CallParsedInput<K>, ctx: CallContext) => Promise<CallOutput<K>> | CallOutput<K>;
export type Handlers = { [K in CallName]: Handler<K> };
export type HandlerGroup<K extends CallName> = { [P in K]: Handler<P> };

export function noopContext(signal: AbortSignal = new AbortController().signal): CallContext {
  return { signal, progress: () => {} };
}
