import { Audience, IafaError } from '../../shared/contract';
import { funnelFromArgs } from '../funnel-flags';
import { renderHypothesesMarkdown, renderMarkdown } from '../../core/insights';
import type { CommandArgs, Command, CliRuntime } from '../framework';
import { funnel, resolveDataset } from './funnel';
import { LLM_DETAILS, LLM_OPTIONS, LLM_USAGE, llmOptionsFromArgs } from '../llm-flags';
import { renderNarrative } from '../narrative';
import { isClickHouseUrl, urlWithMapping } from '../../core/backends/clickhouse';

/**
 * `iafa insights` and `iafa hypotheses` take exactly the funnel flags of `iafa funnel` (read by
 * the same funnelFromArgs) plus their own output options.
 */

async function run(kind: 'insights' | 'hypotheses', args: CommandArgs, rt: CliRuntime): Promise<void> {
  const parsed = funnelFromArgs(args.positionals, args.values);
  const audience = Audience.safeParse(args.values.audience ?? 'data_scientist');
  if (!audience.success) throw new IafaError('validation', '--audience must be data_scientist, executive or product_manager');
  const format = args.values.format ?? 'md';
  if (format !== 'md' && format !== 'json') throw new IafaError('validation', '--format must be md or json');
  const threshold = args.values.threshold === undefined ? undefined : Number(args.values.threshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 100))
    throw new IafaError('validation', '--threshold is an overall conversion rate in percent, e.g. 12.5');
  // A clickhouse:// source is passed as is (with the column roles in the URL): the service computes there.
  const ds = isClickHouseUrl(parsed.source)
    ? { id: urlWithMapping(parsed.source, parsed.mapping), name: parsed.source.replace(/\?.*$/, '') }
    : await resolveDataset(rt, parsed.source, parsed.mapping);
  const input = {
    datasetId: ds.id,
    definition: parsed.definition,
    audience: audience.data,
    llm: llmOptionsFromArgs(args.values),
    ...(threshold !== undefined ? { forecast_threshold: threshold } : {}),
  };
  const title = `${parsed.definition.steps.map((s) => s.label || s.event).join(' → ')} on ${ds.name}`;
  const json = rt.json || format === 'json';
  if (kind === 'insights') {
    const report = await rt.engine().dispatch('analytics:recommendations', input, { signal: rt.signal });
    rt.io.stdout(json ? JSON.stringify(report, null, 2) + '\n' : renderMarkdown(report, `Insights: ${title}`) + renderNarrative(report.narrative));
  } else {
    const report = await rt.engine().dispatch('analytics:hypotheses', input, { signal: rt.signal });
    rt.io.stdout(json ? JSON.stringify(report, null, 2) + '\n' : renderHypothesesMarkdown(report, `Hypotheses: ${title}`) + renderNarrative(report.narrative));
  }
}

const FUNNEL_USAGE =
  '<file|datasetId|sample|clickhouse://host:port/db/table> --steps a,b,c [--window 7d] [--mode any-start|first-touch|unordered] [--strict] [--by <column>] [--where col=v1,v2 ...] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz Zone] [--user-col c --time-col c --event-col c]';

export const insights: Command = {
  path: ['insights'],
  summary: 'Insights, recommendations, guardrails, anomalies, forecast and experiment suggestions for a funnel.',
  usage: `iafa insights ${FUNNEL_USAGE} [--audience data_scientist|executive|product_manager] [--threshold <percent>] ${LLM_USAGE} [--json | --format md]`,
  details: [
    'Takes the same funnel flags as `iafa funnel`. Every number printed is a fact in the fact sheet (shown at the end).',
    '--by adds segment comparisons (Holm-corrected), per-segment anomalies and trade-offs.',
    '--threshold sets the overall conversion rate whose crossing the forecast dates (default: a tenth below the current level).',
    ...LLM_DETAILS,
  ],
  options: { ...funnel.options, ...LLM_OPTIONS, audience: { type: 'string' }, format: { type: 'string' }, threshold: { type: 'string' } },
  allowPositionals: true,
  run: (args, rt) => run('insights', args, rt),
};

export const hypotheses: Command = {
  path: ['hypotheses'],
  summary: 'Testable hypotheses with evidence and a suggested experiment for a funnel.',
  usage: `iafa hypotheses ${FUNNEL_USAGE} ${LLM_USAGE} [--json | --format md]`,
  details: LLM_DETAILS,
  options: { ...funnel.options, ...LLM_OPTIONS, format: { type: 'string' } },
  allowPositionals: true,
  run: (args, rt) => run('hypotheses', args, rt),
};
