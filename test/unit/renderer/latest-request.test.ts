import { describe, expect, it } from 'vitest';
import { latestOnly } from '../../../src/renderer/src/api/latest';

/** A request the test answers by hand, recording whether the hook aborted it. */
function pending<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  let signal!: AbortSignal;
  const load = (s: AbortSignal) => {
    signal = s;
    return new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
  };
  return { load, resolve: (v: T) => resolve(v), reject: (e: Error) => reject(e), aborted: () => signal.aborted };
}

function recorder() {
  const seen: string[] = [];
  return { seen, on: { data: (d: string) => seen.push(`data:${d}`), error: (m: string) => seen.push(`error:${m}`), done: () => seen.push('done') } };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('renderer requests: the newest wins and the replaced one is aborted', () => {
  it('aborts the request a new one replaces, and its late answer is dropped', async () => {
    const runner = latestOnly();
    const { seen, on } = recorder();
    const first = pending<string>();
    const second = pending<string>();
    runner.start(first.load, on);
    expect(first.aborted()).toBe(false);
    runner.start(second.load, on);
    expect(first.aborted()).toBe(true);
    expect(second.aborted()).toBe(false);
    second.resolve('country=DE');
    await flush();
    // The older filter's answer arrives last: it must not overwrite the newer one.
    first.resolve('country=US');
    await flush();
    expect(seen).toEqual(['data:country=DE', 'done']);
  });

  it("a replaced request that fails (its abort) reports nothing; the newest one's error does", async () => {
    const runner = latestOnly();
    const { seen, on } = recorder();
    const first = pending<string>();
    const second = pending<string>();
    runner.start(first.load, on);
    runner.start(second.load, on);
    first.reject(new Error('The operation was cancelled.'));
    await flush();
    expect(seen).toEqual([]);
    second.reject(new Error('Unknown column "plan".'));
    await flush();
    expect(seen).toEqual(['error:Unknown column "plan".', 'done']);
  });

  it('stop (the view goes away) aborts the running request and keeps its answer out', async () => {
    const runner = latestOnly();
    const { seen, on } = recorder();
    const only = pending<string>();
    runner.start(only.load, on);
    runner.stop();
    expect(only.aborted()).toBe(true);
    only.resolve('late');
    await flush();
    expect(seen).toEqual([]);
  });

  it('a loader that throws at once is reported as an error of that request', async () => {
    const runner = latestOnly();
    const { seen, on } = recorder();
    runner.start(() => {
      throw new Error('bad input');
    }, on);
    await flush();
    expect(seen).toEqual(['error:bad input', 'done']);
  });
});
