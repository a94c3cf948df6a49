import type { DatasetKind, ImportMapping } from '../../shared/contract';
import { IafaError } from '../../shared/contract';
import { plural } from '../../shared/plural';
import type { Command } from '../framework';
import { formatTable } from '../framework';

export const importCommand: Command = {
  path: ['import'],
  summary: 'Import a CSV, JSON, NDJSON or funnel_metrics file (or `sample`) as a dataset.',
  usage:
    'iafa import <file|sample> [--name n] [--kind event_log|aggregated|user_table] [--user-col c --time-col c --event-col c] [--event-name e] [--also file ... [--also-time-col c ...] [--also-event-name e ...] [--also-variant v ...]] [--variant v] [--year YYYY] [--preview] [--json]',
  details: [
    'Kind and columns are detected; the flags override them. --preview shows the detection without storing.',
    '--also adds more files to the same dataset (e.g. leads + closed deals, or one file per variant).',
    'Each --also file takes the --also-time-col / --also-event-name / --also-variant given in the same position,',
    "and the first file's user column: leads.csv --event-name lead --also deals.csv --also-time-col won_date --also-event-name deal.",
    '--variant v (first file) with --also-variant w (each other file) stores one file per arm with a "variant" column; --year sets the year of dates written without one.',
  ],
  options: {
    name: { type: 'string' },
    kind: { type: 'string' },
    'user-col': { type: 'string' },
    'time-col': { type: 'string' },
    'event-col': { type: 'string' },
    'event-name': { type: 'string' },
    also: { type: 'string', multiple: true },
    preview: { type: 'boolean' },
    'also-time-col': { type: 'string', multiple: true },
    'also-event-name': { type: 'string', multiple: true },
    'also-variant': { type: 'string', multiple: true },
    variant: { type: 'string' },
    year: { type: 'string' },
  },
  allowPositionals: true,
  async run({ positionals, values }, rt) {
    if (positionals.length !== 1) throw new IafaError('validation', 'Usage: iafa import <file|sample> [options]');
    const mapping: ImportMapping = {};
    if (values['user-col']) mapping.user = String(values['user-col']);
    if (values['time-col']) mapping.time = String(values['time-col']);
    if (values['event-col']) mapping.event = String(values['event-col']);
    if (values['event-name']) mapping.eventName = String(values['event-name']);
    if (values.variant) mapping.constants = { variant: String(values.variant) };
    if (values.year !== undefined) {
      const y = Number(values.year);
      if (!Number.isInteger(y) || y < 1900 || y > 2200) throw new IafaError('validation', `--year must be a year such as 2014 (got "${String(values.year)}").`);
      mapping.year = y;
    }
    const kind = values.kind as DatasetKind | undefined;
    const engine = rt.engine();
    if (values.preview) {
      const p = await engine.dispatch('datasets:preview', { path: positionals[0], kind, mapping });
      if (rt.json) return void rt.io.stdout(JSON.stringify(p, null, 2) + '\n');
      rt.io.stdout(`${p.format} file, detected ${p.kind} (confidence ${p.confidence})\nmapping: ${JSON.stringify(p.mapping)}\n`);
      if (p.shape) rt.io.stdout(`${p.shape.label} (${p.shape.container}, confidence ${p.shape.confidence}): ${p.shape.userReason}\n`);
      for (const n of p.notes) rt.io.stdout(`note: ${n}\n`);
      rt.io.stdout(
        '\n' +
          formatTable(
            p.rows.slice(0, 10).map((r) => Object.fromEntries(r.map((v, i) => [String(i), v]))),
            p.header.map((h, i) => ({ key: String(i), title: h })),
          ),
      );
      return;
    }
    const also = alsoFiles(values, mapping);
    const ds = await engine.dispatch(
      'datasets:import',
      {
        path: positionals[0],
        name: values.name as string | undefined,
        kind,
        mapping: Object.keys(mapping).length ? mapping : undefined,
        also,
      },
      { signal: rt.signal, onProgress: rt.progress },
    );
    if (rt.json) return void rt.io.stdout(JSON.stringify(ds, null, 2) + '\n');
    rt.io.stdout(
      `Imported ${ds.name} as ${ds.id}: ${ds.kind}, ${ds.rowCount.toLocaleString('en-US')} rows${ds.userCount !== null ? `, ${ds.userCount.toLocaleString('en-US')} users` : ''}${ds.timeRange ? `, ${ds.timeRange.start.slice(0, 10)} to ${ds.timeRange.end.slice(0, 10)}` : ''}.\n`,
    );
    if (ds.events.length)
      rt.io.stdout(
        `${ds.kind === 'aggregated' ? 'Stages' : 'Events'}: ${ds.events
          .slice(0, 12)
          .map((e) => `${e.name} (${e.count.toLocaleString('en-US')})`)
          .join(', ')}\n`,
      );
    for (const w of ds.warnings) rt.io.stderr(`warning: ${w.message}\n`);
  },
};

/**
 * The --also files with their own mapping: the n-th --also-time-col / --also-event-name /
 * --also-variant goes with the n-th --also file; the user column and the year are the first
 * file's (a joined funnel shares its id; a pair of exports shares its date format).
 */
function alsoFiles(values: Record<string, unknown>, first: ImportMapping): { path: string; mapping?: ImportMapping }[] | undefined {
  const files = values.also as string[] | undefined;
  const list = (k: string) => (values[k] as string[] | undefined) ?? [];
  const [times, names, variants] = [list('also-time-col'), list('also-event-name'), list('also-variant')];
  for (const [flag, xs] of [
    ['--also-time-col', times],
    ['--also-event-name', names],
    ['--also-variant', variants],
  ] as const) {
    if (xs.length > (files?.length ?? 0))
      throw new IafaError('validation', `${flag} is given ${xs.length} times for ${plural(files?.length ?? 0, '--also file')}.`);
  }
  return files?.map((p, i) => {
    const m: ImportMapping = {};
    if (times[i] || names[i]) {
      if (first.user) m.user = first.user;
      if (times[i]) m.time = times[i];
      if (names[i]) m.eventName = names[i];
    }
    if (variants[i]) m.constants = { variant: variants[i] };
    if (first.year !== undefined) m.year = first.year;
    return Object.keys(m).length ? { path: p, mapping: m } : { path: p };
  });
}
