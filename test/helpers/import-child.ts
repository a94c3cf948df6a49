/**
 * One import in a process of its own, so a test can measure its memory (peak RSS) and run it
 * under a lower open-file limit than the test runner's. Prints one JSON line:
 *   { ok, id?, kind?, columns?, rows?, error?: { kind, message, reason }, importMs, rssBeforeMb, rssAfterMb, peakRssMb }
 * Usage: node --import tsx test/helpers/import-child.ts <dataDir> <file> [envJson]
 */
import { createEngine } from '../../src/core/services';

const [dataDir, file, envJson] = process.argv.slice(2);
const mb = (n: number) => Math.round(n / 1048576);
const engine = createEngine({ dataDir, env: JSON.parse(envJson || '{}') });
const rssBeforeMb = mb(process.memoryUsage().rss);
let out: Record<string, unknown>;
const t0 = performance.now();
try {
  const ds = await engine.dispatch('datasets:import', { path: file });
  out = { ok: true, id: ds.id, kind: ds.kind, columns: ds.columns.length, rows: ds.rowCount };
} catch (e) {
  const err = e as { kind?: string; message?: string; details?: { reason?: string } };
  out = { ok: false, error: { kind: err.kind, message: err.message, reason: err.details?.reason } };
}
// maxRSS is in kilobytes.
out = {
  ...out,
  importMs: Math.round(performance.now() - t0),
  rssBeforeMb,
  rssAfterMb: mb(process.memoryUsage().rss),
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
};
engine.close();
process.stdout.write(JSON.stringify(out) + '\n');
