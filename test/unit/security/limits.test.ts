import { describe, expect, it } from 'vitest';
import { RouteLimiter } from '../../../src/core/limits';
import { Settings } from '../../../src/shared/contract';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RouteLimiter', () => {
  it('runs N at once, queues in order, refuses past the queue, and a cancelled waiter leaves its place', async () => {
    const limits = Settings.parse({ limits: { ask: { concurrent: 1, queue: 2 } } }).limits;
    const lim = new RouteLimiter(() => limits);
    const order: string[] = [];
    const gates = { a: deferred(), b: deferred(), c: deferred() };
    const job = (k: keyof typeof gates) => async () => {
      order.push(`start ${k}`);
      await gates[k].promise;
      return k;
    };
    const never = new AbortController().signal;
    const positions: number[] = [];
    const a = lim.run('ask', never, () => {}, job('a'));
    const cancel = new AbortController();
    const b = lim.run('ask', cancel.signal, (n) => positions.push(n), job('b'));
    const c = lim.run('ask', never, (n) => positions.push(n), job('c'));
    await Promise.resolve();
    expect(lim.status({}).groups[0]).toMatchObject({ name: 'ask', running: 1, waiting: 2 });
    await expect(lim.run('ask', never, () => {}, job('a'))).rejects.toMatchObject({ kind: 'rate_limited', details: { retryAfterSeconds: expect.any(Number) } });
    // Another group has its own slots.
    await expect(
      lim.run(
        'reports',
        never,
        () => {},
        async () => 'r',
      ),
    ).resolves.toBe('r');
    cancel.abort();
    await expect(b).rejects.toMatchObject({ kind: 'cancelled' });
    gates.a.resolve();
    await expect(a).resolves.toBe('a');
    gates.c.resolve();
    await expect(c).resolves.toBe('c');
    expect(order).toEqual(['start a', 'start c']);
    expect(positions).toEqual([1, 2]);
    expect(lim.status({}).groups[0]).toMatchObject({ running: 0, waiting: 0 });
  });
});
