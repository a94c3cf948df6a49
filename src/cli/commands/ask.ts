import { IafaError, type AskOutput } from '../../shared/contract';
import { funnelFromArgs } from '../funnel-flags';
import { formatTable, type Command } from '../framework';
import { LLM_DETAILS, LLM_OPTIONS, LLM_USAGE, llmOptionsFromArgs } from '../llm-flags';
import { funnel, resolveDataset } from './funnel';
import { isClickHouseUrl, urlWithMapping } from '../../core/backends/clickhouse';

/** The two signals, apart: figures that are computed facts, and an answer that fits the question. */
const NUMBERS: Record<AskOutput['signals']['numbers'], string> = {
  match: 'every figure matches a computed fact',
  partly: 'some figures match no computed fact; check them before quoting',
  none: 'no figures quoted',
};
const QUESTION: Record<AskOutput['signals']['question'], string> = {
  answered: 'answered from the facts the question is about',
  closest_facts: 'closest facts only: not a direct answer to the question',
  not_in_data: 'the data does not have what the question names',
};

function render(out: AskOutput): string {
  const lines = [out.answer, ''];
  if (out.supporting_data.length) {
    lines.push(
      formatTable(
        out.supporting_data.map((s) => ({ fact: s.fact_id, label: s.label, value: s.display })),
        [
          { key: 'label', title: 'FACT' },
          { key: 'value', title: 'VALUE' },
          { key: 'fact', title: 'ID' },
        ],
      ).trimEnd(),
      '',
    );
  }
  if (out.follow_up_questions.length) lines.push('You could also ask:', ...out.follow_up_questions.map((q) => `  - ${q}`), '');
  const g = out.grounding;
  const s = out.signals;
  lines.push(`numbers:  ${NUMBERS[s.numbers]}`);
  lines.push(`question: ${QUESTION[s.question]}${s.question !== 'answered' && s.note && s.note !== out.answer ? ` (${s.note})` : ''}`);
  if (out.generation.provider !== 'none' && g.fallback_fields.length)
    lines.push(`model text: ${g.fallback_fields.length} part(s) replaced by the computed text`);
  lines.push(`[${out.generation.provider}${out.generation.model ? ` · ${out.generation.model}` : ''}${out.generation.cache_hit ? ' · cached' : ''}]`);
  if (out.generation.banner) lines.push(`note: ${out.generation.banner}`);
  lines.push(`conversation: ${out.conversation_id} (continue with --conversation ${out.conversation_id})`);
  return lines.join('\n') + '\n';
}

export const ask: Command = {
  path: ['ask'],
  summary: 'Ask a question about a funnel; the answer cites the computed facts.',
  usage: `iafa ask <file|datasetId|sample> "question" --steps a,b,c [funnel flags] ${LLM_USAGE} [--conversation ID] [--json]`,
  details: [
    'Funnel flags are those of `iafa funnel` (--window, --by, --where, --from, --to ...).',
    ...LLM_DETAILS,
    '--conversation continues an earlier conversation: its last turns are given to the model as context.',
  ],
  options: { ...funnel.options, ...LLM_OPTIONS, conversation: { type: 'string' } },
  allowPositionals: true,
  async run(args, rt) {
    const [source, ...rest] = args.positionals;
    const question = rest.join(' ').trim();
    if (!source || !question) throw new IafaError('validation', 'Usage: iafa ask <file|datasetId|sample> "question" --steps a,b,c');
    const options = llmOptionsFromArgs(args.values);
    const parsed = funnelFromArgs([source], args.values);
    // A clickhouse:// source goes to the services as is (see insights.ts): the funnel runs there.
    const ds = isClickHouseUrl(parsed.source) ? { id: urlWithMapping(parsed.source, parsed.mapping) } : await resolveDataset(rt, parsed.source, parsed.mapping);
    const engine = rt.engine();
    const report = await engine.dispatch('analytics:recommendations', { datasetId: ds.id, definition: parsed.definition }, { signal: rt.signal });
    const out = await engine.dispatch(
      'analytics:ask',
      {
        funnelId: report.funnel_id ?? `dataset:${ds.id}`,
        question,
        facts: { facts: report.facts, generated_at: report.generated_at },
        ...(typeof args.values.conversation === 'string' ? { conversationId: args.values.conversation } : {}),
        options,
      },
      {
        signal: rt.signal,
        // Tokens are JSON under construction: show the queue and phases, print the checked answer once.
        onProgress: (ev) => {
          if (!ev.text) rt.progress(ev);
        },
      },
    );
    rt.io.stdout(rt.json ? JSON.stringify(out, null, 2) + '\n' : render(out));
  },
};
