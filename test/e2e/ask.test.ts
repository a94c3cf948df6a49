import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { customPromptFile } from '../../src/core/llm/prompts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server';
import { openApp, type App } from '../helpers/app';
import { artifactPath } from '../helpers/browser';

/**
 * Ask and the model settings against a fake Ollama that speaks the real protocol on 127.0.0.1:
 * the production client, queue, grounding and SSE stream are what run here.
 */
let fake: FakeOllama;
let app: App;
let env: App['env'];
let page: Page;
let funnelId = '';

interface SeenFact {
  id: string;
  label: string;
  display: string;
}

/**
 * Sits between the engine and the fake Ollama and spaces out streamed NDJSON lines, so the
 * browser really receives the answer over time (the fake itself writes all chunks at once).
 */
async function slowStreamProxy(target: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const upstream = await fetch(target + (req.url ?? '/'), {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const type = upstream.headers.get('content-type') ?? 'application/json';
    res.writeHead(upstream.status, { 'content-type': type });
    const text = await upstream.text();
    if (!type.includes('ndjson')) return void res.end(text);
    for (const line of text.split('\n').filter(Boolean)) {
      res.write(line + '\n');
      await new Promise((r) => setTimeout(r, delayMs));
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
let proxy: Awaited<ReturnType<typeof slowStreamProxy>>;

/** The facts the engine put in the prompt's data block, read from what the fake received. */
function factsInLastPrompt(): SeenFact[] {
  const last = fake.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate').at(-1);
  const text = JSON.stringify(last?.body ?? {});
  const out: SeenFact[] = [];
  // The data block holds one JSON object per fact; in the request body it is itself JSON-escaped.
  const re = /\{\\"id\\":\\"((?:[^"\\]|\\\\.)+)\\",\\"label\\":\\"((?:[^"\\]|\\\\.)+)\\",\\"value\\":[^,]+,\\"display\\":\\"((?:[^"\\]|\\\\.)+)\\"\}/g;
  for (const m of text.matchAll(re)) out.push({ id: m[1], label: m[2], display: m[3] });
  return out;
}

beforeAll(async () => {
  fake = await startFakeOllama({ models: ['llama3.2:3b', 'qwen2.5:1.5b'] });
  proxy = await slowStreamProxy(fake.url, 60);
  app = await openApp({ env: { OLLAMA_HOST: proxy.url }, acceptDownloads: true, open: false });
  ({ env, page } = app);
  const ds = await env.engine.dispatch('datasets:import', { path: 'sample' });
  const funnel = await env.engine.dispatch('funnels:create', {
    datasetId: ds.id,
    name: 'Pin funnel',
    definition: { steps: [{ event: 'pin_view' }, { event: 'closeup' }, { event: 'save' }] },
  });
  funnelId = funnel.id;
  await app.open();
});

afterAll(async () => {
  await app?.close();
  await proxy?.close();
  await fake?.close();
});

describe('Ask workspace against a fake Ollama', () => {
  it('streams an answer, shows follow-ups, then cites facts as chips', async () => {
    await page.getByRole('link', { name: 'Ask', exact: true }).click();
    await page.getByTestId('ask-funnel').selectOption(funnelId);
    expect(await page.getByTestId('ask-no-model').count()).toBe(0);

    fake.reply({
      content: JSON.stringify({ answer: 'Here is what the pin funnel shows so far.', fact_ids: [], follow_up_questions: ['What is the overall conversion?'] }),
    });
    await page.getByTestId('ask-input').fill('How is the funnel doing?');
    await page.getByTestId('ask-input').press('Enter');
    // The draft grows while tokens arrive, before the checked answer replaces it.
    const draft = page.getByTestId('ask-draft');
    await draft.waitFor({ timeout: 20_000 });
    expect('Here is what the pin funnel shows so far.'.startsWith((await draft.textContent()) ?? 'x')).toBe(true);
    await page.getByTestId('ask-answer').first().waitFor();
    await expect(page.getByTestId('ask-answer').first().textContent()).resolves.toContain('Here is what the pin funnel shows so far.');
    expect(fake.requests.some((r) => (r.path === '/api/chat' || r.path === '/api/generate') && r.body?.stream === true)).toBe(true);

    // The second reply cites a real fact of this funnel, quoting its displayed value: grounding passes.
    const facts = factsInLastPrompt();
    expect(facts.length).toBeGreaterThan(0);
    const cited = facts[0];
    fake.reply({
      content: JSON.stringify({
        answer: `${cited.label} is ${cited.display}.`,
        fact_ids: [cited.id],
        follow_up_questions: ['Which stage loses the most users?'],
      }),
    });
    await page.getByTestId('follow-up').filter({ hasText: 'What is the overall conversion?' }).click();
    await expect.poll(() => page.getByTestId('ask-answer').count(), { timeout: 20_000 }).toBe(2);
    const second = page.getByTestId('ask-answer').nth(1);
    await expect(second.textContent()).resolves.toContain(cited.display);
    // Two signals: the figure is a computed fact, and the cited fact is one the question is about.
    await expect(second.getByTestId('signal-numbers').getAttribute('data-signal')).resolves.toBe('match');
    await expect(second.getByTestId('signal-numbers').textContent()).resolves.toBe('numbers match computed facts');
    const chip = second.getByTestId('fact-chip').first();
    await expect(chip.getAttribute('data-fact-id')).resolves.toBe(cited.id);
    await chip.hover();
    await second.getByRole('tooltip').filter({ hasText: cited.display }).waitFor();
    await expect(second.locator('mark.fact-mark').textContent()).resolves.toBe(cited.display);
    // Keyboard users get the same highlight on focus.
    await page.mouse.move(0, 0);
    await chip.focus();
    await second.locator('mark.fact-mark').waitFor();
    await expect(second.getByTestId('follow-up').count()).resolves.toBe(1);
    // Rating an answer is stored with its generation and counted in the usage figures.
    await second.getByTestId('feedback-helpful').click();
    await second.getByText(/Noted as helpful/).waitFor();
    await expect.poll(async () => (await env.engine.dispatch('llm:usage', {})).rated_items).toBe(1);
    await page.screenshot({ path: artifactPath('e2e', 'ask-chat.png'), fullPage: true });

    // A reply the grounding check refuses (markup, an invented number) is replaced by the computed
    // text, a note says so, and no markup ever reaches the page.
    fake.reply({
      content: JSON.stringify({ answer: 'See <b>this</b> <img src="x" onerror="document.title=1"> 87.3% of users.', fact_ids: [], follow_up_questions: [] }),
    });
    await second.getByTestId('follow-up').click();
    await expect.poll(() => page.getByTestId('ask-answer').count(), { timeout: 20_000 }).toBe(3);
    const third = page.getByTestId('ask-answer').nth(2);
    await third.getByTestId('ungrounded-note').waitFor();
    await expect(third.getByTestId('ungrounded-note').textContent()).resolves.toContain('Those parts show the computed text instead.');
    await expect(third.locator('.ask-answer-text').textContent()).resolves.not.toContain('87.3%');
    await expect(third.locator('img, b').count()).resolves.toBe(0);
  });

  it('keeps the conversation after a reload and exports it as Markdown', async () => {
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Ask' }).waitFor();
    await page.getByTestId('conversation-item').first().waitFor();
    await expect.poll(() => page.getByTestId('ask-question').count(), { timeout: 10_000 }).toBe(3);
    await expect(page.getByTestId('fact-chip').count()).resolves.toBeGreaterThan(0);
    const download = page.waitForEvent('download');
    await page.getByTestId('ask-export').click();
    const file = await (await download).path();
    const md = fs.readFileSync(file, 'utf8');
    expect(md).toContain('## Q: How is the funnel doing?');
    expect(md).toContain('**Supporting data**');
    await page.screenshot({ path: artifactPath('e2e', 'ask-reloaded.png'), fullPage: true });
  });

  it('without a model, says so and answers from the computed facts', async () => {
    await env.engine.dispatch('settings:update', { llm: { provider: 'none' } });
    await page.reload();
    await page.getByTestId('ask-no-model').waitFor();
    await page.getByTestId('ask-new').click();
    await page.getByTestId('ask-input').fill('What is the overall conversion?');
    await page.getByTestId('ask-send').click();
    await page.getByTestId('ask-answer').first().waitFor({ timeout: 20_000 });
    await expect(page.getByTestId('answer-source').first().textContent()).resolves.toContain('Computed analysis');
    const answer = page.getByTestId('ask-answer').first();
    await expect(answer.getByTestId('signal-question').getAttribute('data-signal')).resolves.toBe('answered');
    await expect(answer.getByTestId('signal-numbers').getAttribute('data-signal')).resolves.toBe('match');
    await expect.poll(() => page.getByTestId('conversation-item').count()).toBe(2);
    await page.screenshot({ path: artifactPath('e2e', 'ask-no-model.png'), fullPage: true });
    await env.engine.dispatch('settings:update', { llm: { provider: 'auto' } });
  });

  it('Settings lists the Ollama models live and shows when data leaves the device', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByTestId('provider-select').selectOption('ollama');
    const select = page.getByTestId('ollama-model-select');
    await expect.poll(async () => (await select.locator('option').allTextContents()).join('|'), { timeout: 10_000 }).toContain('qwen2.5:1.5b');
    await select.selectOption('qwen2.5:1.5b');
    await expect.poll(async () => (await env.engine.dispatch('settings:get', {})).llm.ollamaModel).toBe('qwen2.5:1.5b');
    await page.getByTestId('usage-figures').waitFor();
    await page.getByTestId('prompts-table').waitFor();

    // A custom prompt in the data folder is shown as such and can be reset to the built-in one.
    const custom = customPromptFile(env.dataDir, 'ask');
    fs.mkdirSync(path.dirname(custom), { recursive: true });
    fs.writeFileSync(custom, fs.readFileSync(path.resolve(__dirname, '../../prompts/ask.md'), 'utf8') + '\nKeep answers under three sentences.\n');
    await page.reload();
    await page.getByTestId('prompts-table').getByText('custom', { exact: true }).waitFor();
    await page.getByTestId('prompts-table').getByRole('button', { name: 'Reset to built-in' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Reset “ask”/ })
      .waitFor();
    expect(fs.existsSync(custom)).toBe(false);
    await expect.poll(() => page.getByTestId('prompts-table').getByText('custom', { exact: true }).count()).toBe(0);
    await page.screenshot({ path: artifactPath('e2e', 'settings-models.png'), fullPage: true });

    await page.getByTestId('provider-select').selectOption('openai');
    await page.getByTestId('openai-base-url').waitFor();
    expect(await page.getByTestId('remote-active').count()).toBe(0);
    await page.getByLabel(/API key/).fill('sk-test-not-a-real-key');
    await page.getByRole('button', { name: 'Save key' }).click();
    // The box is controlled by the stored setting, so it flips only after the save: click, then wait.
    await page.getByTestId('remote-opt-in').click();
    await page.getByTestId('remote-active').waitFor();
    await expect.poll(() => page.getByTestId('privacy-indicator').textContent()).toContain('Data leaves this device');
    await page.screenshot({ path: artifactPath('e2e', 'settings-remote.png'), fullPage: true });
    await page.getByTestId('provider-select').selectOption('auto');
    await expect.poll(() => page.getByTestId('privacy-indicator').textContent()).toContain('Data stays on this device');
  });

  it('logged no errors in the console', () => {
    expect(app.consoleErrors).toEqual([]);
  });
});
