import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, tempEngine } from '../helpers/engine';
import {
  amplitudeLines,
  canonEvents,
  EXPORT_STEPS,
  flatCsv,
  ga4Rows,
  genericNested,
  gzipMembers,
  jsonPropertyCsv,
  jsonStringProperties,
  mixpanelLines,
  ndjson,
  segmentCalls,
  splitLines,
  writeParquet,
  zipOf,
} from '../helpers/export-fixtures';

/**
 * Parity: the same events, written as each tool exports them, in each container, give exactly the
 * flat CSV's funnel and breakdown, with no flags beyond steps, window and the breakdown.
 */
describe('analytics exports as they come: the flat CSV funnel, exactly', () => {
  const dir = tempDir();
  let ctx: ReturnType<typeof tempEngine>;
  const ev = canonEvents(400);
  const mp = mixpanelLines(ev);
  const seg = segmentCalls(ev);
  const f = (name: string, data: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, data);
    return p;
  };
  let reference: { stages: number[]; breakdown: unknown };

  const funnel = async (file: string, by = 'plan') => {
    const ds = await ctx.engine.dispatch('datasets:import', { path: file });
    const r = await ctx.engine.dispatch('funnels:compute', {
      datasetId: ds.id,
      definition: { steps: EXPORT_STEPS.map((event) => ({ event })), window: '7d', breakdown: by },
    });
    return { ds, stages: r.stages.map((s) => s.users), breakdown: r.segment_breakdown };
  };

  beforeAll(async () => {
    ctx = tempEngine();
    const ref = await funnel(f('flat.csv', flatCsv(ev)));
    reference = { stages: ref.stages, breakdown: ref.breakdown };
  });
  afterAll(() => {
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the reference is a real funnel with a breakdown', () => {
    expect(reference.stages[0]).toBeGreaterThan(reference.stages[2]);
    expect(reference.stages[2]).toBeGreaterThan(0);
    expect(reference.breakdown).toBeTruthy();
  });

  const cases: [string, () => string | Promise<string>, string?][] = [
    ['Mixpanel NDJSON', () => f('mp.ndjson', ndjson(mp.lines))],
    ['Mixpanel NDJSON.gz (multi-member)', () => f('mp.json.gz', gzipMembers(ndjson(mp.lines)))],
    ['Mixpanel in a zip', () => f('mp.zip', zipOf(splitLines(ndjson(mp.lines), 3).map((t, i) => ({ name: `export/part-${i}.json`, data: Buffer.from(t) }))))],
    [
      'Amplitude zip of .json.gz',
      () =>
        f(
          'amp.zip',
          zipOf(splitLines(ndjson(amplitudeLines(ev)), 4).map((t, i) => ({ name: `123456/123456_2026-01-01_${i}#0.json.gz`, data: zlib.gzipSync(t) }))),
        ),
    ],
    ['Segment JSON array', () => f('seg.json', JSON.stringify(seg.calls, null, 2))],
    ['Segment NDJSON.gz', () => f('seg.gz', gzipMembers(ndjson(seg.calls), 2))],
    ['GA4 NDJSON', () => f('ga4.json', ndjson(ga4Rows(ev)))],
    ['JSON-property CSV', () => f('props.csv', jsonPropertyCsv(ev))],
    ['JSON-property CSV in a zip', () => f('props.zip', zipOf([{ name: 'events.csv', data: Buffer.from(jsonPropertyCsv(ev)) }]))],
    ['JSON dump with properties as JSON text', () => f('props-text.ndjson', ndjson(jsonStringProperties(ev)))],
    ['generic nested JSON array', () => f('nested.json', JSON.stringify(genericNested(ev)))],
    [
      'GA4 Parquet (snappy)',
      async () => {
        const src = f('ga4p.ndjson', ndjson(ga4Rows(ev)));
        const out = path.join(dir, 'ga4.snappy.parquet');
        await writeParquet(src, out, 'snappy');
        return out;
      },
    ],
    [
      'GA4 Parquet (gzip)',
      async () => {
        const src = f('ga4g.ndjson', ndjson(ga4Rows(ev)));
        const out = path.join(dir, 'ga4.gzip.parquet');
        await writeParquet(src, out, 'gzip');
        return out;
      },
    ],
    [
      'GA4 Parquet (zstd)',
      async () => {
        const src = f('ga4z.ndjson', ndjson(ga4Rows(ev)));
        const out = path.join(dir, 'ga4.zstd.parquet');
        await writeParquet(src, out, 'zstd');
        return out;
      },
    ],
  ];
  for (const [name, make] of cases) {
    it(name, async () => {
      const r = await funnel(await make());
      expect(r.stages).toEqual(reference.stages);
      expect(r.breakdown).toEqual(reference.breakdown);
    });
  }

  it('plain NDJSON in worker threads (ranges merged, duplicates dropped across ranges): the same funnel, rows and warnings', async () => {
    const file = f('mp-par.ndjson', ndjson(mp.lines));
    const seq = await ctx.engine.dispatch('datasets:import', { path: file });
    // A 1 KB threshold: this small file is cut into one range per worker.
    const par = tempEngine({ IAFA_IMPORT_PARALLEL_MIN_MB: '0.001', IAFA_IMPORT_JSON_PARALLEL: '1' });
    try {
      const ds = await par.engine.dispatch('datasets:import', { path: file });
      const r = await par.engine.dispatch('funnels:compute', {
        datasetId: ds.id,
        definition: { steps: EXPORT_STEPS.map((event) => ({ event })), window: '7d', breakdown: 'plan' },
      });
      expect(r.stages.map((s) => s.users)).toEqual(reference.stages);
      expect(r.segment_breakdown).toEqual(reference.breakdown);
      expect(ds.rowCount).toBe(seq.rowCount);
      expect(ds.rowCount).toBe(ev.length);
      expect(ds.warnings.find((w) => w.reason === 'duplicate_event')?.count).toBe(mp.duplicates);
      expect(ds.events).toEqual(seq.events);
    } finally {
      par.cleanup();
    }
  });
});
