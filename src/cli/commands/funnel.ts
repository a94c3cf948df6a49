import fs from 'node:fs';
import path from 'node:path';
import { modeText, stepEvents, type Dataset, type FunnelCore, type FunnelResult, type ImportMapping } from '../../shared/contract';
import { FUNNEL_OPTIONS, funnelFromArgs } from '../funnel-flags';
import type { CliRuntime, Command } from '../framework';
import { formatTable } from '../framework';
import { isClickHouseUrl, urlWithMapping } from '../../core/backends/clickhouse';

/**
 * A dataset id is used as is; `sample` and files are imported once and reused while the file
 * is unchanged (same name and size), so repeated funnels on one file do not re-parse it.
 */
export async function resolveDataset(rt: CliRuntime, source: string, mapping: ImportMapping): Promise<Dataset> {
  const engine = rt.engine();
  if (/^ds_[a-z0-9]+$/.test(source) && !fs.existsSync(source)) return engine.dispatch('datasets:get', { id: source });
  const { datasets } = await engine.dispatch('datasets:list', {});
  const explicit = Object.keys(mapping).length > 0;
  if (!explicit) {
    const file = source === 'sample' ? null : path.resolve(source);
    const size = file && fs.existsSync(file) ? fs.statSync(file).size : -1;
    const hit = datasets.find((d) =>
      source === 'sample'
        ? d.name === 'Pinterest sample' && d.sourceName === 'pinterest_events.csv'
        : d.sourceName === path.basename(file!) && d.sourceBytes === size,
    );
    if (hit) {
      rt.io.stderr(`Using imported dataset ${hit.id} (${hit.name}).\n`);
      return hit;
    }
  }
  const ds = await engine.dispatch(
    'datasets:import',
    { path: source, mapping: explicit ? mapping : undefined },
    { signal: rt.signal, onProgress: rt.progress },
  );
  for (const w of ds.warnings) rt.io.stderr(`warning: ${w.message}\n`);
  rt.io.stderr(`Imported ${ds.rowCount.toLocaleString('en-US')} rows as ${ds.id}.\n`);
  return ds;
}

function stageTable(core: FunnelCore): string {
  return formatTable(
    core.stages.map((s) => ({ stage: s.stage_name, users: s.users, conv: s.conversion_rate, step: s.step_conversion_rate, drop: s.drop_off_rate })),
    [
      { key: 'stage', title: 'STAGE' },
      { key: 'users', title: 'USERS' },
      { key: 'conv', title: '% OF STEP 1' },
      { key: 'step', title: '% OF PREVIOUS' },
      { key: 'drop', title: 'DROP-OFF %' },
    ],
  );
}

export function formatFunnel(r: FunnelResult): string {
  const d = r.definition;
  const out = [
    `Funnel: ${d.steps.map((s) => s.label || stepEvents(s).join('|')).join(' → ')}  (window ${d.window}, ${modeText(d)}${r.date_range ? `, ${r.date_range.start} to ${r.date_range.end}` : ''})`,
    '',
  ];
  out.push(stageTable(r));
  out.push(`Overall conversion ${r.overall_conversion_rate}% (${r.completed_users.toLocaleString('en-US')} of ${r.total_users.toLocaleString('en-US')} users)`);
  if (r.previous_period)
    out.push(
      `Previous period ${r.previous_period.date_range.start} to ${r.previous_period.date_range.end}: ${r.previous_period.overall_conversion_rate}% (${r.previous_period.total_users.toLocaleString('en-US')} users)`,
    );
  if (r.segment_breakdown) {
    out.push('', `By ${r.segment_by}:`);
    out.push(
      formatTable(
        Object.entries(r.segment_breakdown).map(([k, v]) => ({
          segment: k,
          users: v.total_users,
          completed: v.completed_users,
          overall: v.overall_conversion_rate,
          ...Object.fromEntries(v.stages.slice(1).map((s, i) => [`s${i}`, s.step_conversion_rate])),
        })),
        [
          { key: 'segment', title: 'SEGMENT' },
          { key: 'users', title: 'USERS' },
          { key: 'completed', title: 'COMPLETED' },
          { key: 'overall', title: 'OVERALL %' },
          ...r.stages.slice(1).map((s, i) => ({ key: `s${i}`, title: `→${s.stage_name} %` })),
        ],
      ).trimEnd(),
    );
  }
  if (r.time_to_convert.length) {
    out.push('', 'Time to convert (median / p90):');
    for (const t of r.time_to_convert)
      out.push(`  ${t.from_stage} → ${t.to_stage}: ${dur(t.median_seconds)} / ${dur(t.p90_seconds)} (${t.users.toLocaleString('en-US')} users)`);
  }
  return out.join('\n') + '\n';
}

function dur(s: number | null): string {
  if (s === null) return '-';
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86400).toFixed(1)}d`;
}

export const funnel: Command = {
  path: ['funnel'],
  summary: 'Compute a funnel on a file, an imported dataset, the sample or a ClickHouse table.',
  usage:
    'iafa funnel <file|datasetId|sample|clickhouse://[user@]host:port/db/table> --steps a,b,c [--window 24h|7d|30m|none] [--mode any-start|first-touch|unordered] [--strict] [--strict-order] [--strict-deduplication] [--strict-once] [--allow-reentry] [--by <column>] [--where col=v1,v2 ...] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz Zone] [--user-col c --time-col c --event-col c] [--json]',
  details: [
    'Steps are event names; a step can be any of several events and filter its own events, all conditions holding: click|tap[surface=Home|Search,platform=iOS].',
    'Modes as ClickHouse windowFunnel: --strict (strict_increase), --strict-order, --strict-deduplication, --strict-once, --allow-reentry (with --strict-order); they combine.',
    '--where col=v1,v2 keeps only those values (repeatable); col!=v or col=!v1,v2 excludes them.',
    '--from/--to restrict the step-1 time (days in --tz); the previous period of equal length is reported too.',
    'clickhouse://…/db/table runs the funnel in ClickHouse (clickhouses:// for TLS); password from IAFA_CLICKHOUSE_PASSWORD;',
    'limits IAFA_CLICKHOUSE_TIMEOUT_S (120), IAFA_CLICKHOUSE_MAX_ROWS (100000), IAFA_CLICKHOUSE_MAX_MEMORY_MB (4096).',
  ],
  options: FUNNEL_OPTIONS,
  allowPositionals: true,
  async run(args, rt) {
    const parsed = funnelFromArgs(args.positionals, args.values);
    // A clickhouse:// source goes to funnels:compute as is (column roles in the URL): it runs there.
    const warehouse = isClickHouseUrl(parsed.source);
    if (warehouse) rt.io.stderr(`Querying ${parsed.source.replace(/\?.*$/, '')}: the funnel runs in ClickHouse and only aggregates come back.\n`);
    const datasetId = warehouse ? urlWithMapping(parsed.source, parsed.mapping) : (await resolveDataset(rt, parsed.source, parsed.mapping)).id;
    const result = await rt.engine().dispatch('funnels:compute', { datasetId, definition: parsed.definition }, { signal: rt.signal });
    rt.io.stdout(rt.json ? JSON.stringify(result, null, 2) + '\n' : formatFunnel(result));
  },
};
