import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/core/db';
import { checkNarrative, disposeEmbedded, makeProvider, narrate, outputJsonSchema, type LlmEnv } from '../src/core/llm';
import { appPaths } from '../src/core/paths';
import { Settings, type Fact } from '../src/shared/contract';
import { DETERMINISTIC, REPLIES, SHEET } from '../test/fakes/facts';
import { startFakeOllama } from '../test/fakes/ollama-server';

const MODEL = process.env.IAFA_BENCH_GGUF ?? new URL('../../shared/models/stories260K.gguf', import.meta.url).pathname;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A fact sheet the size of a real funnel with segments: 8 stages x 6 segments x a few metrics. */
function bigSheet(): Fact[] {
  const facts: Fact[] = [...SHEET.facts];
  for (let s = 0; s < 6; s++)
    for (let st = 0; st < 8; st++) {
      const v = Math.round((10 + s * 7 + st * 3.3) * 10) / 10;
      facts.push({
        id: `segment.S${s}.stage${st}.conversion_rate`,
        label: `S${s} conversion at stage ${st}`,
        value: v,
        unit: 'percent',
        display: `${v.toFixed(1)}%`,
        provenance: {},
      });
    }
  return facts;
}

export async function run(): Promise<void> {
  console.log('\n## LLM layer');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-bench-llm-'));
  const opened = openDatabase(path.join(dataDir, 'iafa.sqlite'), appPaths.migrations());
  const fake = await startFakeOllama();
  try {
    const env: LlmEnv = { db: opened.db, dataDir, settings: Settings.parse({ llm: { ollamaHost: fake.url } }), env: {}, openaiKey: '' };
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    fake.reply({ content: REPLIES.goodInsights });
    const input = { task: 'insights' as const, facts: SHEET, deterministic: DETERMINISTIC.insights, options: { provider: 'ollama' as const } };
    await narrate(env, input, ctx);
    const cached: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      const out = await narrate(env, input, ctx);
      cached.push(performance.now() - t);
      if (!out.generation.cache_hit) throw new Error('expected a cache hit');
    }
    console.log(`cached answer latency: median ${median(cached).toFixed(2)} ms (50 runs, SQLite lookup + record)`);

    const facts = bigSheet();
    const response = JSON.parse(REPLIES.goodInsights) as unknown;
    const invented = JSON.parse(REPLIES.inventedInsights) as unknown;
    for (let i = 0; i < 20; i++) checkNarrative(response, facts);
    const n = 500;
    let t = performance.now();
    for (let i = 0; i < n; i++) checkNarrative(response, facts);
    const good = (performance.now() - t) / n;
    t = performance.now();
    for (let i = 0; i < n; i++) checkNarrative(invented, facts);
    const bad = (performance.now() - t) / n;
    console.log(`grounding check per response: ${good.toFixed(3)} ms grounded, ${bad.toFixed(3)} ms with findings (${facts.length} facts)`);

    if (!fs.existsSync(MODEL)) {
      console.log(`embedded tokens/s: skipped (${MODEL} not found)`);
      return;
    }
    const s = Settings.parse({ llm: { embeddedModelPath: MODEL, embeddedThreads: 1 } });
    const p = makeProvider('embedded', s, { env: {}, openaiKey: '' });
    const messages = [
      { role: 'system' as const, content: 'Answer in JSON.' },
      { role: 'user' as const, content: 'Tell me about the funnel.' },
    ];
    await p.generate({ messages, schema: outputJsonSchema('ask'), maxTokens: 16, signal: ctx.signal });
    const runs: number[] = [];
    let tokens = 0;
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) {
      const r = await p.generate({ messages, schema: outputJsonSchema('ask'), maxTokens: 200, signal: ctx.signal });
      tokens += r.tokensOut ?? 0;
      runs.push(r.tokensOut ?? 0);
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `embedded tokens/s (${path.basename(MODEL)}, 1 thread, JSON-schema grammar, incl. prompt): ${(tokens / secs).toFixed(0)} (${tokens} tokens in ${secs.toFixed(2)} s)`,
    );
  } finally {
    await fake.close();
    await disposeEmbedded();
    opened.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
