import { maxReplyChars } from './llm/narrate';
import { IafaError, type CallName, type LimitGroupName, type LimitsStatus, type Settings } from '../shared/contract';

/**
 * Model-backed routes share a bounded queue per group: a few run at once, a few more wait, and
 * the rest are turned away at once with a retry hint (HTTP 429 + Retry-After) instead of piling
 * up behind a model that answers one prompt at a time. The model queue (llm/queue.ts) still
 * orders the calls that run; this one decides how many may be in the building.
 */
export const LIMIT_GROUPS: Record<LimitGroupName, CallName[]> = {
  ask: ['analytics:ask'],
  reports: ['reports:generate'],
  narration: ['analytics:recommendations', 'analytics:hypotheses', 'llm:narrate'],
};

const GROUP_OF = new Map<string, LimitGroupName>(
  (Object.entries(LIMIT_GROUPS) as [LimitGroupName, CallName[]][]).flatMap(([g, calls]) => calls.map((c) => [c, g] as const)),
);

export function limitGroupOf(name: string): LimitGroupName | null {
  return GROUP_OF.get(name) ?? null;
}

interface Waiter {
  start: () => void;
  cancel: () => void;
}

interface Group {
  running: number;
  waiting: Waiter[];
  /** Smoothed seconds per call, for Retry-After. */
  avgSeconds: number;
}

/** IAFA_MAX_UPLOAD_MB caps one upload to `iafa serve`; default 4 GiB. */
export function maxUploadBytes(env: NodeJS.ProcessEnv): number {
  const mb = Number(env.IAFA_MAX_UPLOAD_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : 4096) * 1048576;
}

export class RouteLimiter {
  private groups = new Map<LimitGroupName, Group>();

  constructor(private readonly config: () => Settings['limits']) {}

  private group(name: LimitGroupName): Group {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = { running: 0, waiting: [], avgSeconds: 5 }));
    return g;
  }

  async run<T>(name: LimitGroupName, signal: AbortSignal, onQueued: (position: number) => void, fn: () => Promise<T>): Promise<T> {
    const { concurrent, queue } = this.config()[name];
    const g = this.group(name);
    if (g.running >= concurrent) {
      if (g.waiting.length >= queue) {
        // Time for the calls ahead to clear, at the pace calls have been taking.
        const retryAfterSeconds = Math.max(1, Math.ceil((g.avgSeconds * (g.waiting.length + 1)) / concurrent));
        throw new IafaError(
          'rate_limited',
          `Too many ${name} requests: ${g.running} running and ${g.waiting.length} waiting (the limit is set in Settings). Try again in ${retryAfterSeconds} s.`,
          { retryAfterSeconds, group: name },
        );
      }
      // The slot is handed over already counted (see next()).
      await this.wait(g, signal, onQueued);
    } else g.running++;
    const started = performance.now();
    try {
      return await fn();
    } finally {
      g.running--;
      g.avgSeconds = 0.7 * g.avgSeconds + 0.3 * ((performance.now() - started) / 1000);
      this.next(name);
    }
  }

  private next(name: LimitGroupName): void {
    const g = this.group(name);
    const { concurrent } = this.config()[name];
    while (g.running < concurrent && g.waiting.length) {
      // Counted now, so a call arriving before the waiter resumes sees the slot taken.
      g.running++;
      g.waiting.shift()!.start();
    }
  }

  private wait(g: Group, signal: AbortSignal, onQueued: (position: number) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        start: () => {
          signal.removeEventListener('abort', w.cancel);
          resolve();
        },
        cancel: () => {
          const i = g.waiting.indexOf(w);
          if (i >= 0) g.waiting.splice(i, 1);
          reject(new IafaError('cancelled', 'The operation was cancelled.'));
        },
      };
      if (signal.aborted) return w.cancel();
      g.waiting.push(w);
      signal.addEventListener('abort', w.cancel, { once: true });
      onQueued(g.waiting.length);
    });
  }

  status(env: NodeJS.ProcessEnv): LimitsStatus {
    const cfg = this.config();
    return {
      uploadMaxMb: maxUploadBytes(env) / 1048576,
      replyMaxKb: maxReplyChars(env) / 1024,
      groups: (Object.keys(LIMIT_GROUPS) as LimitGroupName[]).map((name) => {
        const g = this.group(name);
        return { name, calls: LIMIT_GROUPS[name], concurrent: cfg[name].concurrent, queue: cfg[name].queue, running: g.running, waiting: g.waiting.length };
      }),
    };
  }
}
