import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../src/core/services';
import { ASK_CASES, judge, loadAskSheets } from '../test/helpers/ask-set';
import { HAS_SHARED_DATA, NO_SHARED_DATA } from '../test/helpers/shared';

/**
 * Ask without a model: the share of the phrased question set (test/fixtures/ask/questions.json)
 * answered right (the expected facts cited, or the expected refusal with no number), per dataset.
 */
export async function run(): Promise<void> {
  console.log('\n## Ask without a model (question set)');
  if (!HAS_SHARED_DATA) {
    console.log(`skipped: ${NO_SHARED_DATA}`);
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-bench-ask-'));
  const engine = createEngine({ dataDir, env: { OLLAMA_HOST: 'http://127.0.0.1:2' } });
  try {
    const sheets = await loadAskSheets(engine);
    const started = performance.now();
    const verdicts = ASK_CASES.map((c) => ({ c, v: judge(c, sheets[c.data]) }));
    const ms = (performance.now() - started) / verdicts.length;
    const by = new Map<string, { right: number; n: number }>();
    for (const { c, v } of verdicts) {
      const e = by.get(c.data) ?? { right: 0, n: 0 };
      e.n += 1;
      if (v.right) e.right += 1;
      by.set(c.data, e);
    }
    const right = verdicts.filter((x) => x.v.right).length;
    const mislabelled = verdicts.filter((x) => !x.v.right && x.v.fit === 'answered').length;
    console.log(`questions right: ${right}/${verdicts.length} (${((100 * right) / verdicts.length).toFixed(1)}%; target >= 90%)`);
    console.log(`wrong answers labelled "answers the question": ${mislabelled}`);
    for (const [name, e] of by) console.log(`  ${name.padEnd(12)} ${e.right}/${e.n}`);
    console.log(`refusals in the set: ${ASK_CASES.filter((c) => c.refuse).length}; classify + answer: ${ms.toFixed(2)} ms per question`);
    for (const { c, v } of verdicts.filter((x) => !x.v.right)) console.log(`  wrong: [${c.data}] ${c.q} → ${v.why}`);
  } finally {
    engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
