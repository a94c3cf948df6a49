import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server';
import { tempDir, tempEngine } from '../helpers/engine';
import { apiFetch } from '../helpers/http';
import { artifactPath } from '../helpers/browser';
import { runCliCaptured } from '../helpers/cli';
import { SHARED_DATA, sharedData } from '../helpers/shared';

const TAOBAO = sharedData('taobao_userbehavior_head.csv');
const DEFINITION = { steps: [{ event: 'pv' }, { event: 'cart' }, { event: 'buy' }], window: '7d' };

let env: ReturnType<typeof tempEngine>;
let server: RunningServer;
let datasetId: string;

beforeAll(async () => {
  env = tempEngine();
  // The experiment report reads a shared data file in place: the server may read that folder.
  server = await startServer({ engine: env.engine, port: 0, allowDirs: [SHARED_DATA] });
  datasetId = (await env.engine.dispatch('datasets:import', { path: TAOBAO, name: 'Taobao head' })).id;
});
afterAll(async () => {
  await server.close();
  env.cleanup();
});

async function download(url: string, headers: Record<string, string> = { authorization: `Bearer ${server.token}` }) {
  const res = await fetch(server.url + url, { headers });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    disposition: res.headers.get('content-disposition') ?? '',
    body: Buffer.from(await res.arrayBuffer()),
  };
}

describe('reports over HTTP', () => {
  it('generates, stores and serves an HTML report (POST /api/v1/reports, GET .../download)', async () => {
    const { status, json } = await apiFetch(server, 'POST', '/api/v1/reports', {
      datasetId,
      definition: DEFINITION,
      audience: 'executive',
      format: 'html',
      provider: 'none',
    });
    expect(status).toBe(200);
    expect(json.report_content).toMatch(/^<!doctype html>/);
    expect(json.report_metadata).toMatchObject({ format: 'html', audience: 'executive', title: 'Funnel report: pv → cart → buy' });
    expect(json.report_metadata.word_count).toBeGreaterThan(100);
    expect(json.download_url).toBe(`/api/v1/reports/${json.id}/download`);
    expect(json.grounding.ungrounded).toEqual([]);

    const d = await download(json.download_url);
    expect(d.status).toBe(200);
    expect(d.type).toMatch(/text\/html/);
    expect(d.disposition).toMatch(/attachment; filename="funnel-report-pv-cart-buy\.html"/);
    expect(d.body.toString('utf8')).toBe(json.report_content);
    // A browser link carries the token in the query string; without any token the file is refused.
    expect((await download(`${json.download_url}?token=${server.token}`, {})).status).toBe(200);
    expect((await download(json.download_url, {})).status).toBe(401);
    expect(fs.existsSync(path.join(env.dataDir, 'reports', `${json.id}.html`))).toBe(true);
  });

  it('serves the seed alias /api/v1/analytics/:funnelId/report for a saved funnel, as Markdown', async () => {
    const funnel = await env.engine.dispatch('funnels:create', { datasetId, name: 'Browse to buy', definition: DEFINITION });
    const { status, json } = await apiFetch(server, 'POST', `/api/v1/analytics/${funnel.id}/report`, {
      format: 'markdown',
      audience: 'data_scientist',
      provider: 'none',
    });
    expect(status).toBe(200);
    expect(json.report_content).toMatch(/^# Funnel report/);
    const d = await download(json.download_url);
    expect(d.type).toMatch(/text\/markdown/);
    expect(d.body.toString('utf8')).toBe(json.report_content);
    const list = await apiFetch(server, 'GET', `/api/v1/reports?funnelId=${funnel.id}`);
    expect(list.json.reports.map((r: { id: string }) => r.id)).toEqual([json.id]);
    expect(list.json.reports[0]).toMatchObject({ funnel_id: funnel.id, audience: 'data_scientist', format: 'markdown' });
  });

  it('prints a PDF (Letter from settings) and streams progress over SSE', async () => {
    await apiFetch(server, 'PATCH', '/api/v1/settings', { reports: { paper: 'Letter' } });
    const res = await fetch(`${server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ datasetId, definition: DEFINITION, audience: 'product_manager', format: 'pdf', provider: 'none' }),
    });
    const text = await res.text();
    const phases = [...text.matchAll(/event: progress\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]).phase as string);
    expect(phases).toEqual(expect.arrayContaining(['funnel', 'render', 'pdf', 'save']));
    const result = JSON.parse(/event: result\ndata: (.*)\n/.exec(text)![1]);
    expect(result.report_metadata.paper).toBe('Letter');
    expect(result.report_content).toMatch(/PDF report .* is ready/);
    const d = await download(result.download_url);
    expect(d.type).toBe('application/pdf');
    expect(d.body.subarray(0, 5).toString()).toBe('%PDF-');
    fs.writeFileSync(artifactPath('reports', 'api-product-manager-letter.pdf'), d.body);
  });

  it('previews without storing (save: false), lists and deletes', async () => {
    const before = (await apiFetch(server, 'GET', '/api/v1/reports')).json.reports.length;
    const preview = await apiFetch(server, 'POST', '/api/v1/reports', {
      datasetId,
      definition: DEFINITION,
      format: 'html',
      save: false,
      provider: 'none',
      sections: ['summary', 'key_metrics'],
    });
    expect(preview.json.id).toBeNull();
    expect(preview.json.download_url).toBeNull();
    expect(preview.json.html).not.toContain('id="funnel"');
    expect(preview.json.markdown).toMatch(/## Key metrics/);
    const list = (await apiFetch(server, 'GET', '/api/v1/reports')).json.reports;
    expect(list.length).toBe(before);
    const victim = list[0];
    expect((await apiFetch(server, 'DELETE', `/api/v1/reports/${victim.id}`)).json).toEqual({ deleted: true });
    expect((await download(victim.download_url)).status).toBe(404);
    expect((await apiFetch(server, 'GET', '/api/v1/reports')).json.reports.length).toBe(before - 1);
  });

  it('renders an experiment-only report for Cookie Cats through experiment:analyze', async () => {
    const { status, json } = await apiFetch(server, 'POST', '/api/v1/reports', {
      experiment: {
        file: sharedData('cookie_cats.csv'),
        variant_column: 'version',
        control: 'gate_30',
        treatment: 'gate_40',
        metrics: ['retention_7', 'retention_1'],
      },
      audience: 'product_manager',
      format: 'html',
      provider: 'none',
      save: false,
    });
    expect(status).toBe(200);
    expect(json.report_metadata.title).toBe('Experiment report: gate_40 vs gate_30');
    expect(json.html).toMatch(/Decision: (SHIP|ITERATE|ROLLBACK)/);
    expect(json.markdown).toContain('## Experiment read-out');
    expect(json.grounding.ungrounded).toEqual([]);
  });

  it('rejects a request without a funnel or experiment', async () => {
    const { status, json } = await apiFetch(server, 'POST', '/api/v1/reports', { format: 'html' });
    expect(status).toBe(400);
    expect(json.error.message).toMatch(/funnelId/);
  });
});

describe('iafa report', () => {
  it('writes Markdown and PDF from a file with the funnel flags, progress on stderr', async () => {
    const dataDir = tempDir();
    const outDir = tempDir('iafa-report-out-');
    const run = (args: string[]) => runCliCaptured(args, { IAFA_DATA_DIR: dataDir, OLLAMA_HOST: 'http://127.0.0.1:2' });
    try {
      const md = await run([
        'report',
        TAOBAO,
        '--steps',
        'pv,cart,buy',
        '--audience',
        'data_scientist',
        '--format',
        'md',
        '-o',
        path.join(outDir, 'r.md'),
        '--provider',
        'none',
      ]);
      expect(md.stderr).toMatch(/funnel|render/);
      expect(md.code).toBe(0);
      expect(fs.readFileSync(path.join(outDir, 'r.md'), 'utf8')).toMatch(/## Methods and caveats/);
      const pdf = await run(['report', TAOBAO, '--steps', 'pv,cart,buy', '--format', 'pdf', '-o', path.join(outDir, 'r.pdf'), '--provider', 'none', '--json']);
      expect(pdf.code).toBe(0);
      expect(JSON.parse(pdf.stdout)).toMatchObject({ format: 'pdf', audience: 'executive' });
      expect(fs.readFileSync(path.join(outDir, 'r.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
      const ab = await run([
        'report',
        sharedData('cookie_cats.csv'),
        '--variant-col',
        'version',
        '--control',
        'gate_30',
        '--treatment',
        'gate_40',
        '--metric',
        'retention_7,retention_1',
        '--format',
        'html',
        '-o',
        path.join(outDir, 'ab.html'),
        '--provider',
        'none',
      ]);
      expect(ab.code).toBe(0);
      expect(fs.readFileSync(path.join(outDir, 'ab.html'), 'utf8')).toContain('Experiment read-out');
      const bad = await run(['report', TAOBAO, '--steps', 'pv,cart', '--format', 'docx']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--format must be html, md or pdf/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });
});
