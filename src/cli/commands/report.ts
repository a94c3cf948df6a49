import fs from 'node:fs';
import path from 'node:path';
import { Audience, IafaError, ProviderName, type ReportsGenerateInput } from '../../shared/contract';
import { funnelFromArgs } from '../funnel-flags';
import { htmlToPdf } from '../../core/reports';
import { writeUserFile } from '../../core/umask';
import type { Command, CommandArgs } from '../framework';
import { funnel, resolveDataset } from './funnel';
import { isClickHouseUrl, urlWithMapping } from '../../core/backends/clickhouse';

const FORMATS: Record<string, 'html' | 'markdown' | 'pdf'> = { html: 'html', md: 'markdown', markdown: 'markdown', pdf: 'pdf' };

function str(v: CommandArgs['values'][string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export const report: Command = {
  path: ['report'],
  summary: 'Write a decision-ready report (HTML, Markdown or PDF) for a funnel or an A/B test.',
  usage:
    'iafa report <file|datasetId|sample> [funnel flags of iafa funnel] [--audience data_scientist|executive|product_manager] --format html|md|pdf -o <path> [--provider none|ollama|embedded|openai] [--model NAME] [--paper A4|Letter]',
  details: [
    'Funnel flags are those of `iafa funnel` (--steps is required for a funnel report).',
    'A/B test read-out: --variant-col <col> --control <v> --treatment <v> --metric <col>[,<col>...] (with or without --steps).',
    'Without -o, HTML and Markdown go to stdout; PDF needs -o. Progress goes to stderr.',
    'PDF uses a local Chromium/Chrome (set IAFA_CHROMIUM if it is not found).',
  ],
  options: {
    ...funnel.options,
    audience: { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string', short: 'o' },
    provider: { type: 'string' },
    model: { type: 'string' },
    paper: { type: 'string' },
    title: { type: 'string' },
    'variant-col': { type: 'string' },
    control: { type: 'string' },
    treatment: { type: 'string' },
    metric: { type: 'string' },
  },
  allowPositionals: true,
  async run(args, rt) {
    const format = FORMATS[str(args.values.format) ?? 'html'];
    if (!format) throw new IafaError('validation', '--format must be html, md or pdf.');
    const out = str(args.values.output);
    if (format === 'pdf' && !out) throw new IafaError('validation', 'PDF needs -o <path>.');
    const audience = Audience.safeParse(str(args.values.audience) ?? 'executive');
    if (!audience.success) throw new IafaError('validation', '--audience must be data_scientist, executive or product_manager.');
    const provider = str(args.values.provider);
    if (provider !== undefined && !ProviderName.safeParse(provider).success)
      throw new IafaError('validation', '--provider must be none, auto, ollama, embedded or openai.');
    const paper = str(args.values.paper);
    if (paper !== undefined && paper !== 'A4' && paper !== 'Letter') throw new IafaError('validation', '--paper must be A4 or Letter.');
    if (args.positionals.length !== 1) throw new IafaError('validation', `Usage: ${report.usage}`);

    const input: ReportsGenerateInput = {
      audience: audience.data,
      format: 'html',
      save: false,
      provider: provider as ReportsGenerateInput['provider'],
      model: str(args.values.model),
      title: str(args.values.title),
      paper: paper as 'A4' | 'Letter' | undefined,
    };
    const variant = str(args.values['variant-col']);
    if (args.values.steps !== undefined) {
      const parsed = funnelFromArgs(args.positionals, args.values);
      const ds = isClickHouseUrl(parsed.source)
        ? { id: urlWithMapping(parsed.source, parsed.mapping) }
        : await resolveDataset(rt, parsed.source, parsed.mapping);
      input.datasetId = ds.id;
      input.definition = parsed.definition;
    } else if (!variant) throw new IafaError('validation', 'Give --steps for a funnel report, or --variant-col/--metric for an A/B test report.');
    if (variant) {
      const metrics = (str(args.values.metric) ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean);
      if (!metrics.length) throw new IafaError('validation', '--metric is required with --variant-col.');
      const src = args.positionals[0];
      const file = fs.existsSync(src) ? path.resolve(src) : undefined;
      input.experiment = {
        ...(file ? { file } : { datasetId: src }),
        variant_column: variant,
        control: str(args.values.control),
        treatment: str(args.values.treatment),
        metrics,
      };
    }

    const result = await rt.engine().dispatch('reports:generate', input, { signal: rt.signal, onProgress: rt.progress });
    let bytes: Buffer | string = format === 'markdown' ? result.markdown : result.html;
    if (format === 'pdf') {
      rt.progress({ phase: 'pdf', fraction: 0.9, message: 'printing with headless Chromium' });
      bytes = await htmlToPdf(result.html, { paper: result.report_metadata.paper, signal: rt.signal, env: rt.io.env });
    }
    if (!result.grounding.passed)
      rt.io.stderr(
        `warning: ${result.grounding.ungrounded.length} number(s) in the report are not facts: ${result.grounding.ungrounded
          .slice(0, 3)
          .map((u) => u.number)
          .join(', ')}\n`,
      );
    for (const f of result.report_metadata.fallback_fields) rt.io.stderr(`note: ${f}\n`);
    if (!out) {
      rt.io.stdout(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
      return;
    }
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeUserFile(out, bytes);
    const meta = { path: path.resolve(out), ...result.report_metadata, format };
    rt.io.stdout(
      rt.json
        ? JSON.stringify(meta, null, 2) + '\n'
        : `Wrote ${meta.path} (${format}, ${meta.word_count.toLocaleString('en-US')} words, ${meta.fact_count} facts).\n`,
    );
  },
};
