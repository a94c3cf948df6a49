import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkNarrative, disposeEmbedded, makeProvider, narrate, outputJsonSchema, parseOutput } from '../../src/core/llm';
import { DETERMINISTIC, FACTS, SHEET } from '../fakes/facts';
import { collectingContext, makeLlmEnv } from '../fakes/llm-env';
import { SHARED_MODELS } from '../helpers/shared';

const MODELS = [path.join(SHARED_MODELS, 'stories260K.gguf'), path.join(SHARED_MODELS, 'llama-2-tiny-random.gguf')];
const present = MODELS.every((m) => fs.existsSync(m));

let env: ReturnType<typeof makeLlmEnv>;
afterEach(() => env?.dispose());
afterAll(() => disposeEmbedded());

// These tiny real models cannot write analysis: their JSON is grammatical and their prose is
// gibberish, which is exactly what the grounding check must catch.
describe.skipIf(!present)('embedded provider on tiny real GGUF models (in-process, 1 thread)', () => {
  it.each(MODELS)('%s: schema-valid JSON under the grammar', async (model) => {
    env = makeLlmEnv({ embeddedModelPath: model, embeddedThreads: 1 });
    const p = makeProvider('embedded', env.settings, { env: {}, openaiKey: '' });
    const r = await p.generate({
      messages: [
        { role: 'system', content: 'Answer in JSON.' },
        { role: 'user', content: 'Summarise: conversion is 15.0%.' },
      ],
      schema: outputJsonSchema('ask'),
      maxTokens: 400,
      signal: new AbortController().signal,
    });
    // The grammar (from the same zod schema) makes even a 260K-parameter model write valid output.
    const parsed = parseOutput('ask', r.text);
    expect(parsed.ok ? 'valid' : parsed.finding.text).toBe('valid');
    expect(r.tokensOut).toBeGreaterThan(0);
  });

  // stories260K spends one token per character or two, so the short Ask task keeps it quick.
  it.each([
    [MODELS[0], 'ask'],
    [MODELS[1], 'insights'],
  ] as const)(
    '%s (%s): end to end, the gibberish is caught, the computed analysis is shown',
    async (model, task) => {
      env = makeLlmEnv({ embeddedModelPath: model, embeddedThreads: 1, timeoutMs: 110_000 });
      const ctx = collectingContext();
      const deterministic = task === 'ask' ? DETERMINISTIC.ask : DETERMINISTIC.insights;
      const out = await narrate(env, { task, facts: SHEET, deterministic, options: { provider: 'embedded' } }, ctx);
      expect(out.generation.provider).toBe('embedded');
      expect(out.generation.tokens_out).toBeGreaterThan(0);
      expect(ctx.streamed().length).toBeGreaterThan(0);
      expect(out.grounding.passed).toBe(false);
      expect(out.grounding.fallback_fields.length).toBeGreaterThan(0);
      expect(checkNarrative(out.narrative, FACTS).findings).toEqual([]);
      // Whatever survived is either the computed text or model text that passed every check.
      for (const field of out.grounding.fallback_fields) {
        const [key, i] = field.split('.');
        const shown = (out.narrative as Record<string, unknown>)[key];
        const computed = (deterministic as Record<string, unknown>)[key];
        expect(i === undefined ? shown : ((shown as unknown[])[Number(i)] ?? 'dropped')).toEqual(
          i === undefined ? computed : ((computed as unknown[])[Number(i)] ?? 'dropped'),
        );
      }
    },
    120_000,
  );

  it('a missing GGUF file is a plain llm_unavailable, and narrate falls back', async () => {
    env = makeLlmEnv({ embeddedModelPath: '/nonexistent/model.gguf' });
    const out = await narrate(
      env,
      { task: 'insights', facts: SHEET, deterministic: DETERMINISTIC.insights, options: { provider: 'embedded' } },
      collectingContext(),
    );
    expect(out.generation.provider).toBe('none');
    expect(out.generation.banner).toMatch(/GGUF model file not found/);
  });
});
