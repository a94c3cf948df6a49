import fs from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../src/core/random';

/** The funnel steps and breakdown of today's bench, so both files answer the same question. */
export const EXPORT_LIKE_STEPS = ['view', 'cart', 'checkout', 'purchase'];
export const EXPORT_LIKE_COLUMNS = ['user_id', 'time', 'event', 'country', 'platform', 'plan', 'page'];

const NOISE = ['scroll', 'search', 'wishlist', 'share'];
const COUNTRIES = ['US', 'DE', 'FR', 'BR', 'IN', 'JP', 'GB', 'CA', 'MX', 'ES', 'IT', 'KR'];
const PLATFORMS = ['ios', 'android', 'web'];
const PLANS = ['free', 'plus', 'pro', 'team'];
const PAGES = 10_000;
// Zone offsets a mobile SDK reports in local time (none of them with DST: the offset is in the text).
const OFFSETS: [string, number][] = [
  ['+02:00', 120],
  ['-05:00', -300],
  ['+05:30', 330],
  ['+09:00', 540],
  ['-03:00', -180],
  ['+01:00', 60],
  ['-08:00', -480],
];
const START_MS = Date.UTC(2026, 0, 1);
const SPAN_MS = 30 * 86_400_000;
// Arrival can trail the event by up to 5 days (a phone offline for a weekend), plus the funnel's own spread.
const ARRIVAL_SPAN_MS = SPAN_MS + 16 * 86_400_000;

/** A bijection on 32 bits (lowbias32): short hashed ids that look random and never collide. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const hex8 = (x: number) => x.toString(16).padStart(8, '0');

function uuid(r: () => number): string {
  const a = hex8((r() * 4294967296) >>> 0);
  const b = hex8((r() * 4294967296) >>> 0);
  const c = hex8((r() * 4294967296) >>> 0);
  const d = hex8((r() * 4294967296) >>> 0);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[c.charCodeAt(0) & 3]}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

function isoTime(ms: number, offset: [string, number] | null): string {
  if (!offset) return new Date(ms).toISOString();
  return new Date(ms + offset[1] * 60_000).toISOString().slice(0, 23) + offset[0];
}

export interface ExportLikeResult {
  rows: number;
  users: number;
}

/**
 * A CSV shaped like a product-analytics export of about `events` rows over 30 days, written to
 * `file` without ever holding the rows in memory (100M rows, about 7 GB, need well under 1 GB):
 * - user_id: 40% UUIDs (anonymous/device ids), 60% short hashed ids like `u437f45f9`;
 * - time: ISO-8601 with milliseconds, `Z` for most users, a zone offset (`+05:30`) for 15%;
 * - rows in arrival order, not grouped by user: each event arrives at its time, 4% of them late
 *   (minutes to 5 days, as phones upload when back online), so the file is out of time order too;
 * - event: the 4 funnel steps of today's bench (view, cart, checkout, purchase) plus noise;
 * - country (12 values), platform (3), plan (4), fixed per user; page (~10k values, per event).
 * Users: 300k per 10M events, as in bench/funnel-data.ts. Rows go to time buckets in temporary
 * files next to `file`, then each bucket is sorted by arrival and appended.
 */
export function writeExportLikeLog(file: string, events: number, opts: { users?: number; seed?: number } = {}): ExportLikeResult {
  const users = opts.users ?? Math.max(1, Math.round((events / 10_000_000) * 300_000));
  const r = seededRandom(opts.seed ?? 7);
  const nBuckets = Math.max(4, Math.ceil(events / 400_000));
  const bucketMs = Math.ceil(ARRIVAL_SPAN_MS / nBuckets);
  const tmpDir = fs.mkdtempSync(path.join(path.dirname(path.resolve(file)), '.export-like-'));
  const bucketFiles = Array.from({ length: nBuckets }, (_, i) => path.join(tmpDir, `b${i}`));
  const fds = bucketFiles.map((f) => fs.openSync(f, 'w'));
  const pending: string[][] = Array.from({ length: nBuckets }, () => []);
  const flush = (b: number) => {
    if (pending[b].length === 0) return;
    fs.writeSync(fds[b], pending[b].join('\n') + '\n');
    pending[b] = [];
  };
  let rows = 0;
  try {
    const perUser = events / users;
    for (let u = 0; u < users; u++) {
      const id = r() < 0.4 ? uuid(r) : `u${hex8(mix32(u))}`;
      const offset = r() < 0.15 ? OFFSETS[Math.floor(r() * OFFSETS.length)] : null;
      const seg = `${COUNTRIES[Math.floor(r() * COUNTRIES.length)]},${PLATFORMS[Math.floor(r() * 3)]},${PLANS[Math.floor(r() * 4)]}`;
      const target = Math.max(1, Math.round(perUser * (0.3 + 1.4 * r())));
      let n = 0;
      let t = 0;
      const push = (e: string) => {
        // Pages: skewed (a few product pages get most views), ~10k distinct at 10M rows.
        const page = `/p/${Math.floor(PAGES * r() ** 2.5)}`;
        const line = `${id},${isoTime(t, offset)},${e},${seg},${page}`;
        const late = r() < 0.04 ? Math.floor(-Math.log(1 - r()) * 8 * 3_600_000) : 0;
        const arrival = Math.min(ARRIVAL_SPAN_MS - 1, t - START_MS + Math.min(late, 5 * 86_400_000));
        const b = Math.floor(arrival / bucketMs);
        pending[b].push(`${String(arrival).padStart(10, '0')}|${line}`);
        if (pending[b].length >= 2000) flush(b);
        n++;
      };
      while (n < target) {
        t = START_MS + Math.floor(r() * SPAN_MS);
        const views = 1 + Math.floor(r() * 4);
        for (let i = 0; i < views && n < target; i++) {
          t += Math.floor(r() * 600_000);
          push(r() < 0.6 ? 'view' : NOISE[Math.floor(r() * 4)]);
        }
        if (n >= target || r() > 0.35) continue;
        t += Math.floor(r() * 7_200_000);
        push('cart');
        if (n >= target || r() > 0.5) continue;
        t += Math.floor(r() * 86_400_000 * 3);
        push('checkout');
        if (n >= target || r() > 0.6) continue;
        t += Math.floor(r() * 86_400_000 * 6);
        push('purchase');
      }
      rows += n;
    }
    for (let b = 0; b < nBuckets; b++) flush(b);
    for (const fd of fds) fs.closeSync(fd);
    fds.length = 0;
    const out = fs.openSync(file, 'w');
    try {
      fs.writeSync(out, EXPORT_LIKE_COLUMNS.join(',') + '\n');
      for (const bf of bucketFiles) {
        const text = fs.readFileSync(bf, 'latin1');
        fs.rmSync(bf);
        if (!text) continue;
        // Fixed-width arrival keys: a plain string sort is the arrival order (ties by row text).
        const lines = text.split('\n');
        lines.pop();
        lines.sort();
        const CHUNK = 50_000;
        for (let i = 0; i < lines.length; i += CHUNK) {
          const part = lines.slice(i, i + CHUNK);
          for (let j = 0; j < part.length; j++) part[j] = part[j].slice(11);
          fs.writeSync(out, part.join('\n') + '\n', null, 'latin1');
        }
      }
    } finally {
      fs.closeSync(out);
    }
  } finally {
    for (const fd of fds) fs.closeSync(fd);
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  return { rows, users };
}

/**
 * The export-like file of `events` rows, written once into `dir` and reused by later runs
 * (10M rows take a minute to write): the name carries the size and the generator's version.
 */
export function cachedExportLikeLog(dir: string, events: number): { file: string } & ExportLikeResult {
  const file = path.join(dir, `export-like-v1-${events}.csv`);
  const meta = `${file}.json`;
  if (fs.existsSync(file) && fs.existsSync(meta)) return { file, ...(JSON.parse(fs.readFileSync(meta, 'utf8')) as ExportLikeResult) };
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.partial`;
  const res = writeExportLikeLog(tmp, events);
  fs.renameSync(tmp, file);
  fs.writeFileSync(meta, JSON.stringify(res));
  return { file, ...res };
}
