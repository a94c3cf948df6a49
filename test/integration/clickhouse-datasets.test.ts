import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/core/experiments';
import { encryptedFileStore, secretsDir, type Cipher } from '../../src/core/secrets';
import { createEngine, type Engine } from '../../src/core/services';
import { FunnelDefinition, IafaError, type Dataset } from '../../src/shared/contract';
import { ANALYST_PASSWORD, CLICKHOUSE_BIN, NO_CLICKHOUSE, loadCsvTable, loadEventStore, startCluster, type TestCluster } from '../helpers/clickhouse';
import { tempDir, tempEngine } from '../helpers/engine';
import { HAS_SHARED_DATA, sharedData } from '../helpers/shared';

/**
 * A ClickHouse table saved as a dataset (warehouse:save): every service routes its id to the
 * cluster and answers as for the same events imported; the password lives only in the secret
 * store, never in the database, the settings or any API output.
 */
if (!CLICKHOUSE_BIN) console.warn(`skipping warehouse dataset tests: ${NO_CLICKHOUSE}`);

const DEF = FunnelDefinition.parse({ steps: ['pin_view', 'save', 'click', 'purchase'].map((event) => ({ event })), breakdown: 'user_intent' });
const PW = Buffer.from(ANALYST_PASSWORD, 'utf8');

/** A stand-in for Electron's safeStorage: what it writes is not the plain text. */
const cipher: Cipher = {
  available: () => true,
  encrypt: (s) => Buffer.from(s, 'utf8').map((b) => b ^ 0x5a) as Buffer,
  decrypt: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
};

/** Every file under dir (database, its WAL, settings, secrets, datasets) that holds the password's bytes. */
function filesHoldingPassword(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile() && fs.readFileSync(path.join(dir, f)).includes(PW));
}

const strip = <T extends object>(r: T) => ({ ...r, dataset_id: null, computed_ms: null, funnel_name: null });

describe.skipIf(!CLICKHOUSE_BIN)('a warehouse table saved as a dataset', () => {
  let cluster: TestCluster;
  let local: ReturnType<typeof tempEngine>;
  let sampleId = '';
  let base = '';
  const dataDir = tempDir('iafa-wh-');
  const engines: Engine[] = [];
  const open = (env: NodeJS.ProcessEnv = {}) => {
    const e = createEngine({
      dataDir,
      env: { OLLAMA_HOST: 'http://127.0.0.1:2', ...env },
      secrets: encryptedFileStore(secretsDir(dataDir), cipher, 'electron-safe-storage'),
    });
    engines.push(e);
    return e;
  };
  let engine: Engine;
  let saved: Dataset;
  const outputs: unknown[] = [];
  const call: Engine['dispatch'] = async (name, input, o) => {
    const out = await engine.dispatch(name, input, o);
    outputs.push(out);
    return out;
  };

  beforeAll(async () => {
    cluster = await startCluster(2);
    base = `clickhouse://analyst@127.0.0.1:${cluster.servers[0].http}/iafa`;
    local = tempEngine();
    const ds = await local.engine.dispatch('datasets:import', { path: 'sample' });
    sampleId = ds.id;
    await loadEventStore(cluster, path.join(local.dataDir, 'datasets', ds.id), 'iafa', 'pinterest');
    engine = open();
  }, 180_000);

  afterAll(async () => {
    for (const e of engines) e.close();
    await cluster?.stop();
    local?.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('a wrong password saves nothing', async () => {
    await expect(engine.dispatch('warehouse:save', { url: `${base}/pinterest`, password: 'wrong' })).rejects.toThrow(/refused the user "analyst"/);
    expect((await engine.dispatch('datasets:list', {})).datasets).toEqual([]);
    expect(fs.existsSync(secretsDir(dataDir)) ? fs.readdirSync(secretsDir(dataDir)) : []).toEqual([]);
  });

  it('saves the table with the session password, its roles and limits, and lists it', async () => {
    await call('warehouse:connect', { url: base, password: ANALYST_PASSWORD });
    saved = await call('warehouse:save', { url: `${base}/pinterest`, name: 'Pins in ClickHouse', limits: { timeout_seconds: 60 } });
    expect(saved).toMatchObject({ name: 'Pins in ClickHouse', kind: 'event_log', format: 'clickhouse', rowCount: 272_277 });
    expect(saved.warehouse).toEqual({
      url: `${base}/pinterest?user_col=user_id&time_col=ts&event_col=event`,
      limits: { timeout_seconds: 60, max_result_rows: 100_000, max_memory_mb: 4096 },
      password: 'secret-store',
    });
    expect(saved.columns.find((c) => c.name === 'user_intent')).toMatchObject({ role: 'segment', type: 'string' });
    expect(saved.events.map((e) => e.name)).toContain('purchase');
    const list = await call('datasets:list', {});
    expect(list.datasets.map((d) => d.id)).toEqual([saved.id]);
  });

  it('its funnel, a saved funnel on it and the suggested funnel equal the local engine on the same events', async () => {
    const want = await local.engine.dispatch('funnels:compute', { datasetId: sampleId, definition: DEF });
    const got = await call('funnels:compute', { datasetId: saved.id, definition: DEF });
    expect(got.dataset_id).toBe(saved.id);
    expect(strip(got)).toEqual(strip(want));
    const f = await call('funnels:create', { datasetId: saved.id, name: 'pins', definition: DEF });
    const byId = await call('funnels:compute', { funnelId: f.id });
    expect(strip(byId)).toEqual(strip(want));
    const s = await call('datasets:suggest-funnel', { datasetId: saved.id });
    expect(s.steps).toEqual(saved.events.slice(0, 3).map((e) => e.name));
    const local3 = await local.engine.dispatch('funnels:compute', {
      datasetId: sampleId,
      definition: FunnelDefinition.parse({ steps: s.steps.map((event) => ({ event })) }),
    });
    expect(s.users).toEqual(local3.stages.map((x) => x.users));
  });

  it('insights, hypotheses, experiment design and reports run on it like on an import', async () => {
    const f = (await call('funnels:list', { datasetId: saved.id })).funnels[0];
    const rec = await call('analytics:recommendations', { funnelId: f.id });
    expect(rec.dataset_id).toBe(saved.id);
    const wantRec = await local.engine.dispatch('analytics:recommendations', { datasetId: sampleId, definition: DEF });
    const fact = (r: typeof rec, id: string) => r.facts.find((x) => x.id === id)?.value;
    expect(fact(rec, 'funnel.overall_conversion_rate')).toBeDefined();
    expect(fact(rec, 'funnel.overall_conversion_rate')).toBe(fact(wantRec, 'funnel.overall_conversion_rate'));
    const hyp = await call('analytics:hypotheses', { funnelId: f.id });
    expect(hyp.dataset_id).toBe(saved.id);
    const design = await call('experiment:design', { funnelId: f.id, mde: 10 });
    const lf = await local.engine.dispatch('funnels:create', { datasetId: sampleId, name: 'pins', definition: DEF });
    const wantDesign = await local.engine.dispatch('experiment:design', { funnelId: lf.id, mde: 10 });
    expect(design.experiment_design.primary_metric.baseline).toBeGreaterThan(0);
    expect(design.experiment_design.primary_metric).toEqual(wantDesign.experiment_design.primary_metric);
    // Ask answers from the same facts (no model: the computed answer), for the saved dataset and for the sample.
    const q = { question: 'What is the overall conversion rate?', options: { provider: 'none' as const } };
    const a = await call('analytics:ask', { funnelId: f.id, ...q });
    const wantA = await local.engine.dispatch('analytics:ask', { funnelId: lf.id, ...q });
    expect(a.supporting_data.length).toBeGreaterThan(0);
    expect(a.answer).toBe(wantA.answer);
    const report = await call('reports:generate', { funnelId: f.id, format: 'markdown', save: false });
    expect(report.report_content).toContain('Pins in ClickHouse');
  }, 120_000);

  it.skipIf(!HAS_SHARED_DATA)(
    'a saved user-level table is read out in the Experiments analyzer like the file',
    async () => {
      const csv = sharedData('adsmart_ab_data.csv');
      await loadCsvTable(cluster, parseCsv(fs.readFileSync(csv, 'utf8')).columns, 'iafa', 'adsmart');
      const ds = await call('warehouse:save', { url: `${base}/adsmart` });
      expect(ds.kind).toBe('user_table');
      // What the analyzer preselects from: the variant column and its values, as for the imported file.
      expect(ds.columns.find((c) => c.name === 'experiment')).toMatchObject({ role: 'variant', distinct: 2 });
      expect([...ds.columns.find((c) => c.name === 'experiment')!.sample!].sort()).toEqual(['control', 'exposed']);
      expect(ds.mapping).toEqual({ variant: 'experiment' });
      const args = { variant_column: 'experiment', control: 'control', treatment: 'exposed', metrics: ['yes'], save: false };
      const got = await call('experiment:analyze', { datasetId: ds.id, ...args });
      const want = await local.engine.dispatch('experiment:analyze', { file: csv, ...args });
      expect(got.source).toBe('user_table');
      expect(got.statistical_analysis.primary_metric).toEqual(want.statistical_analysis.primary_metric);
      expect(got.srm_check).toEqual(want.srm_check);
      expect(got.recommendation.decision).toBe(want.recommendation.decision);
      // The causal checks too: balance from per-variant value counts, the daily trend from per-day sums.
      const causalArgs = { ...args, balance_columns: ['platform_os', 'browser'], date_column: 'date', segment_by: 'platform_os' };
      const gotC = await call('experiment:causal', { datasetId: ds.id, ...causalArgs });
      const wantC = await local.engine.dispatch('experiment:causal', { file: csv, ...causalArgs });
      expect(gotC.confounding_check.selection_bias.balance).toHaveLength(2);
      expect(gotC.confounding_check.selection_bias).toEqual(wantC.confounding_check.selection_bias);
      expect(gotC.confounding_check.temporal_effects.status).toBe(wantC.confounding_check.temporal_effects.status);
      expect(gotC.confounding_check.temporal_effects.days).toBe(wantC.confounding_check.temporal_effects.days);
      expect(gotC.causal_conclusion).toEqual(wantC.causal_conclusion);
    },
    120_000,
  );

  it('after a restart the secret store supplies the password; IAFA_CLICKHOUSE_PASSWORD overrides it', async () => {
    engine.close();
    engine = open();
    const got = await call('funnels:compute', { datasetId: saved.id, definition: DEF });
    expect(got.total_users).toBeGreaterThan(1000);
    engine.close();
    engine = open({ IAFA_CLICKHOUSE_PASSWORD: 'not-the-password' });
    await expect(engine.dispatch('funnels:compute', { datasetId: saved.id, definition: DEF })).rejects.toThrow(/refused the user "analyst"/);
    engine.close();
    engine = open();
  });

  it('no output, database or settings file holds the password; deleting the dataset removes its secret', async () => {
    expect(outputs.length).toBeGreaterThan(8);
    for (const o of outputs) expect(JSON.stringify(o)).not.toContain(ANALYST_PASSWORD);
    // The secret store's file is ciphertext, so no file at all carries the password.
    expect(filesHoldingPassword(dataDir)).toEqual([]);
    const before = fs.readdirSync(secretsDir(dataDir));
    expect(before.length).toBeGreaterThan(0);
    await call('datasets:delete', { id: saved.id });
    expect(fs.readdirSync(secretsDir(dataDir)).length).toBe(before.length - 1);
    await expect(engine.dispatch('datasets:get', { id: saved.id })).rejects.toBeInstanceOf(IafaError);
  });

  it('a keyring that refuses the password: a message about it, and no dataset', async () => {
    const dir = tempDir('iafa-wh-locked-');
    const locked = createEngine({
      dataDir: dir,
      env: { OLLAMA_HOST: 'http://127.0.0.1:2' },
      secrets: {
        kind: 'os-keyring',
        warning: null,
        get: () => '',
        set: () => {
          throw new IafaError('internal', 'The OS keyring did not take the key (secret-tool: the collection is locked). Unlock it.');
        },
      },
    });
    try {
      await expect(locked.dispatch('warehouse:save', { url: `${base}/pinterest`, password: ANALYST_PASSWORD })).rejects.toThrow(
        /did not take the warehouse password \(secret-tool: the collection is locked\)\. Nothing was saved/,
      );
      expect((await locked.dispatch('datasets:list', {})).datasets).toEqual([]);
    } finally {
      locked.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without an OS secret store: a 0600 file with a warning on the dataset, and still not in the database or settings', async () => {
    const plain = tempEngine({ IAFA_SECRET_STORE: 'file' });
    try {
      await plain.engine.dispatch('settings:update', { reports: { paper: 'a4' } }).catch(() => undefined);
      const ds = await plain.engine.dispatch('warehouse:save', { url: `${base}/pinterest`, password: ANALYST_PASSWORD });
      expect(JSON.stringify(ds)).not.toContain(ANALYST_PASSWORD);
      expect(ds.warnings.map((w) => w.reason)).toEqual(['password_in_file']);
      const holding = filesHoldingPassword(plain.dataDir);
      expect(holding).toHaveLength(1);
      expect(holding[0]).toMatch(/^secrets\//);
      expect(fs.statSync(path.join(plain.dataDir, holding[0])).mode & 0o777).toBe(0o600);
      const r = await plain.engine.dispatch('funnels:compute', { datasetId: ds.id, definition: DEF });
      expect(r.total_users).toBeGreaterThan(1000);
    } finally {
      plain.cleanup();
    }
  });
});
