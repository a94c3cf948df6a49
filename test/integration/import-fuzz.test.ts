import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random';
import type { RunningServer } from '../../src/server';
import { tempDir, tempEngine } from '../helpers/engine';
import { EXPORT_STEPS } from '../helpers/export-fixtures';
import { int, NESTED_SEEDS, parquetCutKeepFooter, parquetFooterFlip, parquetSeeds, pick, wrap, type Rand, type Seed } from '../helpers/fuzz-containers';
import { apiFetch, serverFor } from '../helpers/http';
import { datasetFiles, storeState, upload, uploadAndImport } from '../helpers/import-http';

/**
 * Issue #16 "Also": the importers over generated malformed inputs, through the real HTTP API.
 * Valid seed files of every format (CSV, JSON, NDJSON, the nested exports of Mixpanel, Amplitude,
 * Segment and GA4, Parquet) are mutated (bytes and structure) with a fixed seed and a bounded
 * count, and often wrapped in gzip or zip whose own structure is then broken too. For every input: never a 500 or an `internal` error (preview or import); a refusal leaves the data
 * folder as it was; an accepted file gives a funnel that is not a 500 either; and the dataset
 * imported first keeps its stored bytes to the end.
 */

// Fixed in `npm test`; IAFA_FUZZ_SEED and IAFA_FUZZ_CASES explore further by hand.
const SEED = Number(process.env.IAFA_FUZZ_SEED) || 16_2026;
const CASES = Number(process.env.IAFA_FUZZ_CASES) || 300;
// IAFA_FUZZ_LOG=1 prints every case's outcome and message (to read what users would be told).
const LOG = process.env.IAFA_FUZZ_LOG === '1';
// IAFA_FUZZ_DUMP=<folder> keeps each failing (or hanging) case's bytes there, to reproduce it alone.
const DUMP = process.env.IAFA_FUZZ_DUMP;

// ---- valid starting points, one per format and kind --------------------------------------------
const EVENTS = ['view', 'cart', 'buy'];
function eventRows(r: Rand, n: number): string[][] {
  return Array.from({ length: n }, (_, i) => [
    `u${int(r, 12)}`,
    new Date(Date.UTC(2026, 0, 1 + int(r, 20), int(r, 24), i % 60)).toISOString(),
    pick(r, EVENTS),
    pick(r, ['ios', 'web', 'android']),
  ]);
}
// Parquet seeds are written in beforeAll (through DuckDB) and appended.
const SEEDS: Seed[] = [
  { name: 'csv event log', ext: '.csv', make: (r) => ['user_id,timestamp,event,platform', ...eventRows(r, 30).map((x) => x.join(','))].join('\n') + '\n' },
  {
    name: 'quoted csv',
    ext: '.csv',
    make: (r) => ['"user_id","timestamp","event","platform"', ...eventRows(r, 30).map((x) => x.map((v) => `"${v}"`).join(','))].join('\r\n') + '\r\n',
  },
  {
    name: 'json event log',
    ext: '.json',
    make: (r) => JSON.stringify(eventRows(r, 20).map(([user_id, timestamp, event, platform]) => ({ user_id, timestamp, event, platform }))),
  },
  {
    name: 'ndjson event log',
    ext: '.ndjson',
    make: (r) =>
      eventRows(r, 20)
        .map(([user_id, timestamp, event, platform]) => JSON.stringify({ user_id, timestamp, event, platform }))
        .join('\n') + '\n',
  },
  {
    name: 'aggregated csv',
    ext: '.csv',
    make: (r) =>
      ['date,visit,signup,pay', ...Array.from({ length: 8 }, (_, d) => `2026-01-0${d + 1},${100 + int(r, 50)},${20 + int(r, 20)},${int(r, 10)}`)].join('\n') +
      '\n',
  },
  {
    name: 'long aggregated csv',
    ext: '.csv',
    make: (r) => ['stage;users', `visit;${500 + int(r, 100)}`, `signup;${100 + int(r, 50)}`, `pay;${int(r, 40)}`].join('\n') + '\n',
  },
  {
    name: 'funnel_metrics json',
    ext: '.json',
    make: (r) =>
      JSON.stringify({
        funnel_metrics: {
          stages: [
            ['visit', 1000],
            ['signup', 300 + int(r, 100)],
            ['pay', int(r, 100)],
          ].map(([stage_name, users]) => ({ stage_name, users })),
        },
      }),
  },
  {
    name: 'user table',
    ext: '.csv',
    make: (r) =>
      ['user_id,variant,converted,revenue', ...Array.from({ length: 20 }, (_, i) => `u${i},${pick(r, ['a', 'b'])},${int(r, 2)},${int(r, 100)}.5`)].join('\n') +
      '\n',
  },
  ...NESTED_SEEDS,
];

/**
 * How the bytes reach the importer: as they are, or in a container (gzip, multi-member gzip, zip
 * with one or several members, mixed shapes, hostile names, junk members, a bomb, a .gz inside a
 * zip; see wrap in test/helpers/fuzz-containers.ts), whose own structure is then broken sometimes.
 */
const CONTAINED = 0.45;
/** Past the test engine's memory budget (IAFA_IMPORT_MEMORY_MB below), so a bomb is one. */
const BUDGET_MB = 8;
const BOMB_BYTES = (BUDGET_MB + 2) << 20;

// ---- mutations -----------------------------------------------------------------------------------
const NASTY = [
  '',
  '"',
  '""',
  '\r',
  '\n',
  '\r\n',
  ',',
  ';',
  '\t',
  '\0',
  '{',
  '}',
  '[',
  ']',
  '\\',
  '%',
  '%zz',
  '-5',
  '1e308',
  'NaN',
  '-0',
  '1e-300',
  'Infinity',
  '__proto__',
  'constructor',
  '\uFEFF',
  '\uD800',
  'é',
  '9'.repeat(40),
  'x'.repeat(5000),
  '2026-99-99',
  '2026-02-30T25:61:00Z',
  'null',
  'true',
  '[[[[[[[[',
  '{"a":',
];
const BYTES = [0x00, 0x0d, 0x0a, 0x22, 0x2c, 0x3b, 0x7b, 0x7d, 0x5b, 0x5d, 0xff, 0xfe, 0xc3, 0x80, 0xef, 0xbb, 0xbf];

const MUTATIONS: ((r: Rand, b: Buffer) => Buffer)[] = [
  // Flip, insert or delete bytes.
  (r, b) => {
    const c = Buffer.from(b);
    for (let k = 1 + int(r, 6); k > 0 && c.length; k--) c[int(r, c.length)] = r() < 0.5 ? pick(r, BYTES) : int(r, 256);
    return c;
  },
  (r, b) => {
    const at = int(r, b.length + 1);
    return Buffer.concat([b.subarray(0, at), Buffer.from(pick(r, NASTY)), b.subarray(at)]);
  },
  (r, b) => {
    const at = int(r, b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(r, 40))]);
  },
  // Truncate anywhere, or keep only the head line.
  (r, b) => b.subarray(0, int(r, b.length)),
  (_r, b) => b.subarray(0, Math.max(0, b.indexOf(10)) + 1),
  // Duplicate or repeat a range (long lines, repeated headers).
  (r, b) => {
    const a = int(r, b.length);
    const piece = b.subarray(a, a + 1 + int(r, 200));
    return Buffer.concat([b, ...Array.from({ length: 1 + int(r, 20) }, () => piece)]);
  },
  // Structure: replace one cell / JSON value with something nasty.
  (r, b) => {
    const text = b.toString('latin1');
    const cells = [...text.matchAll(/[^,;\n\r"{}[\]:]+/g)];
    if (!cells.length) return b;
    const m = pick(r, cells);
    return Buffer.from(text.slice(0, m.index) + pick(r, NASTY) + text.slice(m.index! + m[0].length), 'latin1');
  },
  // Numbers that cannot be counts or times, where a number was.
  (r, b) => {
    const text = b.toString('utf8');
    const nums = [...text.matchAll(/\d+/g)];
    if (!nums.length) return b;
    const m = pick(r, nums);
    return Buffer.from(
      text.slice(0, m.index) +
        pick(r, ['-5', '1e308', '1' + '0'.repeat(400), 'NaN', '"NaN"', '10.5', '-0', '1e3', '9007199254740993']) +
        text.slice(m.index! + m[0].length),
    );
  },
  // Shuffle lines, change line endings, drop or add a field on some lines.
  (r, b) => {
    const lines = b.toString('utf8').split('\n');
    for (let k = 0; k < 5; k++) {
      const i = int(r, lines.length);
      const j = int(r, lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }
    return Buffer.from(lines.join(pick(r, ['\n', '\r', '\r\n'])));
  },
  (r, b) =>
    Buffer.from(
      b
        .toString('utf8')
        .split('\n')
        .map((l) => (r() < 0.3 ? (r() < 0.5 ? l.replace(/[,;][^,;]*$/, '') : `${l},${pick(r, NASTY)}`) : l))
        .join('\n'),
    ),
  // Wrap the whole text in deep nesting, or nest a value deep inside.
  (r, b) => {
    const d = pick(r, [10, 300, 5000]);
    return Buffer.concat([Buffer.from('['.repeat(d)), b, Buffer.from(']'.repeat(d))]);
  },
  (r, b) => {
    const text = b.toString('utf8');
    const at = text.indexOf(':');
    if (at < 0) return b;
    const d = pick(r, [50, 1000, 20000]);
    return Buffer.from(`${text.slice(0, at + 1)}${'['.repeat(d)}1${']'.repeat(d)},"x":${text.slice(at + 1)}`);
  },
  // Nested exports: a nested value replaced, removed, or made deep with objects.
  (r, b) => {
    const text = b.toString('utf8');
    const keys = [...text.matchAll(/"(properties|event_params|context|user_properties|event_properties|user|attrs|value|geo|traits)":/g)];
    if (!keys.length) return b;
    const m = pick(r, keys);
    const at = m.index! + m[0].length;
    const d = pick(r, [3, 300, 5000]);
    const repl = pick(r, [
      'null',
      '"text"',
      '[]',
      '{}',
      '[{"key":1}]',
      '[{"key":"k","value":{}}]',
      `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`,
      '{"__proto__":{"x":1}}',
      '{"constructor":"c","":""}',
    ]);
    return Buffer.from(text.slice(0, at) + repl + (r() < 0.5 ? ',"_":' : '') + text.slice(at));
  },
];
/** For binary seeds (Parquet): flips, inserts, deletes, truncation, repeats, and the footer's own damage. */
const BINARY_MUTATIONS = [0, 1, 2, 3, 5];
const PARQUET_MUTATIONS = [parquetFooterFlip, parquetCutKeepFooter];

function generate(r: Rand): { label: string; name: string; bytes: Buffer; container: string; seed: Seed; kind?: string; mapping?: Record<string, unknown> } {
  const seed = pick(r, SEEDS);
  let inner: Buffer = Buffer.from(seed.make(r));
  // Sometimes (a quarter of the time) the seed goes through unchanged: only its container breaks.
  const steps = r() < 0.25 ? 0 : 1 + int(r, 3);
  const applied: string[] = [];
  for (let k = 0; k < steps; k++) {
    if (seed.binary && r() < 0.4) {
      const m = int(r, PARQUET_MUTATIONS.length);
      applied.push(`p${m}`);
      inner = PARQUET_MUTATIONS[m](r, inner);
      continue;
    }
    const m = seed.binary ? pick(r, BINARY_MUTATIONS) : int(r, MUTATIONS.length);
    applied.push(String(m));
    inner = MUTATIONS[m](r, inner);
  }
  const other = () => {
    const o = pick(r, SEEDS);
    return { bytes: Buffer.from(o.make(r)), ext: o.ext };
  };
  const container = r() < CONTAINED ? wrap(r, inner, seed.ext, other, BOMB_BYTES) : { container: 'plain', ext: '', bytes: inner };
  const bytes = container.bytes;
  // Sometimes the user names the kind or maps columns, right or wrong: the importer must cope.
  const kind = r() < 0.25 ? pick(r, ['event_log', 'aggregated', 'user_table']) : undefined;
  const names = ['user_id', 'timestamp', 'event', 'platform', 'stage', 'users', 'date', 'visit', 'signup', 'variant', 'converted', 'nope'];
  const mapping =
    r() < 0.3
      ? Object.fromEntries(['user', 'time', 'event', 'stage', 'count', 'date', 'variant'].filter(() => r() < 0.4).map((k) => [k, pick(r, names)]))
      : undefined;
  if (mapping && r() < 0.5) mapping.timeFormat = pick(r, ['auto', 'iso', 'unix_s', 'unix_ms', 'date', 'weekday_month_day']);
  if (mapping && r() < 0.3) (mapping as Record<string, unknown>).stages = names.filter(() => r() < 0.3);
  if (mapping && r() < 0.2) mapping.eventName = 'lead';
  return {
    label: `${seed.name} / ${container.container} / mutations ${applied.join(',') || 'none'}${kind ? ` / kind ${kind}` : ''}${mapping ? ` / mapping ${JSON.stringify(mapping)}` : ''}`,
    name: `fuzz${seed.ext}${container.ext}`,
    bytes,
    container: container.container,
    seed,
    kind,
    mapping,
  };
}

describe('importer fuzz (fixed seed, bounded count)', () => {
  let ctx: ReturnType<typeof tempEngine>;
  let server: RunningServer;
  let baseId = '';
  // A nested export imported before the fuzzing too (gzipped Mixpanel NDJSON), checked the same way.
  let exportId = '';
  let exportStages: number[] = [];
  const dir = tempDir();

  beforeAll(async () => {
    // A small memory budget, so a zip bomb is a few kilobytes here.
    ctx = tempEngine({ IAFA_IMPORT_MEMORY_MB: String(BUDGET_MB) });
    server = await serverFor(ctx.engine);
    const base = await uploadAndImport(server, 'base.csv', SEEDS[0].make(seededRandom(1)));
    expect(base.status).toBe(200);
    baseId = base.json.id;
    const exp = await uploadAndImport(server, 'base.json.gz', zlib.gzipSync(String(NESTED_SEEDS[0].make(seededRandom(3)))));
    expect(exp.status).toBe(200);
    exportId = exp.json.id;
    exportStages = await exportFunnel();
    expect(exportStages[0]).toBeGreaterThan(0);
    SEEDS.push(...(await parquetSeeds(dir, String(SEEDS[3].make(seededRandom(2))))));
  });
  afterAll(async () => {
    await server.close();
    ctx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function exportFunnel(): Promise<number[]> {
    const f = await apiFetch(server, 'POST', '/api/v1/funnels/compute', {
      datasetId: exportId,
      definition: { steps: EXPORT_STEPS.map((event) => ({ event })) },
    });
    expect(f.status).toBe(200);
    return f.json.stages.map((st: { users: number }) => st.users);
  }

  it(`${CASES} malformed inputs: no 500, nothing stored on refusal, earlier data intact`, async () => {
    const r = seededRandom(SEED);
    const baseFiles = datasetFiles(ctx.dataDir, baseId);
    const exportFiles = datasetFiles(ctx.dataDir, exportId);
    const tally = { accepted: 0, refused: 0 };
    // Accepted cases per family: the generator must reach the readers, not only their refusals.
    const acceptedBy = { contained: 0, nested: 0, parquet: 0 };
    // Every broken property is collected, so one run lists them all.
    const problems: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const c = generate(r);
      const found = problems.length;
      const dump = DUMP ? `${DUMP}/case-${i}-${c.name}` : '';
      if (dump) fs.writeFileSync(dump, c.bytes);
      const what = `case ${i} (${c.label})`;
      const before = JSON.stringify(await storeState(ctx.engine, ctx.dataDir));
      const saved = await upload(server, c.name, c.bytes);
      // The preview reads the same file first, as the Data workspace does.
      const pre = await apiFetch(server, 'POST', '/api/v1/datasets/preview', { path: saved, kind: c.kind, mapping: c.mapping });
      if (pre.status >= 500 || (pre.status !== 200 && pre.json?.error?.kind === 'internal'))
        problems.push(`${what}: preview ${pre.status} ${JSON.stringify(pre.json).slice(0, 300)}`);
      const res = await apiFetch(server, 'POST', '/api/v1/datasets/import', { path: saved, kind: c.kind, mapping: c.mapping });
      if (res.status >= 500) problems.push(`${what}: import ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
      if (LOG)
        console.log(`[fuzz] ${what}: preview ${pre.status}, import ${res.status} ${res.status === 200 ? '' : String(res.json?.error?.message).slice(0, 240)}`);
      if (res.status !== 200) {
        tally.refused++;
        if (res.json?.error?.kind === 'internal' || !res.json?.error?.message) problems.push(`${what}: error ${JSON.stringify(res.json).slice(0, 300)}`);
        if (JSON.stringify(await storeState(ctx.engine, ctx.dataDir)) !== before) problems.push(`${what}: a refused import changed the data folder`);
        if (dump && problems.length === found) fs.rmSync(dump);
        continue;
      }
      tally.accepted++;
      if (c.container !== 'plain') acceptedBy.contained++;
      if (NESTED_SEEDS.includes(c.seed)) acceptedBy.nested++;
      if (c.seed.binary) acceptedBy.parquet++;
      // Accepted means usable: a funnel on it is an answer or a 4xx, never a 500.
      const ds = res.json;
      const steps = stepsFor(ds);
      if (steps.length >= 2) {
        const f = await apiFetch(server, 'POST', '/api/v1/funnels/compute', {
          datasetId: ds.id,
          definition: { steps: steps.slice(0, 3).map((event) => ({ event })) },
        });
        if (f.status >= 500) problems.push(`${what}: funnel ${f.status} ${JSON.stringify(f.json).slice(0, 300)}`);
      }
      const del = await apiFetch(server, 'DELETE', `/api/v1/datasets/${ds.id}`);
      if (del.status !== 200) problems.push(`${what}: delete ${del.status}`);
      if (dump && problems.length === found) fs.rmSync(dump);
    }
    expect(problems).toEqual([]);
    console.log(`[fuzz] ${CASES} cases, seed ${SEED}: ${tally.accepted} accepted, ${tally.refused} refused; accepted ${JSON.stringify(acceptedBy)}`);
    // Both outcomes happen, or the generator is not exercising anything.
    expect(tally.accepted).toBeGreaterThan(CASES / 10);
    expect(tally.refused).toBeGreaterThan(CASES / 10);
    expect(acceptedBy.contained).toBeGreaterThan(CASES / 60);
    expect(acceptedBy.nested).toBeGreaterThan(CASES / 60);
    expect(acceptedBy.parquet).toBeGreaterThan(0);
    expect(datasetFiles(ctx.dataDir, baseId)).toEqual(baseFiles);
    expect(datasetFiles(ctx.dataDir, exportId)).toEqual(exportFiles);
    expect(await exportFunnel()).toEqual(exportStages);
    const f = await apiFetch(server, 'POST', '/api/v1/funnels/compute', { datasetId: baseId, definition: { steps: [{ event: 'view' }, { event: 'buy' }] } });
    expect(f.status).toBe(200);
  }, 120_000);
});

function stepsFor(ds: { kind: string; events: { name: string }[]; columns: { name: string; role: string }[] }): string[] {
  if (ds.kind === 'user_table') return ds.columns.filter((c) => c.role === 'metric').map((c) => c.name);
  return ds.events.map((e) => e.name).filter(Boolean);
}
