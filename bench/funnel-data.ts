import fs from 'node:fs';
import { seededRandom } from '../src/core/random';

export const BENCH_STEPS = ['view', 'cart', 'checkout', 'purchase'];
const NOISE = ['scroll', 'search', 'wishlist', 'share'];
const COUNTRIES = ['US', 'DE', 'FR', 'BR', 'IN', 'JP', 'GB', 'CA'];
const PLATFORMS = ['ios', 'android', 'web'];
const PLANS = ['free', 'plus', 'pro', 'team'];
const TENURES = ['new', 'returning', 'loyal'];

/**
 * An event log of about `events` rows over 30 days: 4 funnel steps plus noise, 4 segment
 * columns, unix-second times. Rows are shuffled within blocks of users, so the file is sorted
 * neither by user nor by time.
 */
export function writeBenchLog(file: string, events: number, users: number, seed = 1): number {
  const r = seededRandom(seed);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'user_id,timestamp,event,country,platform,plan,tenure\n');
  const start = 1767225600; // 2026-01-01
  const perUser = events / users;
  let written = 0;
  const BLOCK = 5000;
  for (let b = 0; b < users; b += BLOCK) {
    const rows: string[] = [];
    for (let u = b; u < Math.min(users, b + BLOCK); u++) {
      const id = 100000 + u;
      const seg = `${COUNTRIES[Math.floor(r() * 8)]},${PLATFORMS[Math.floor(r() * 3)]},${PLANS[Math.floor(r() * 4)]},${TENURES[Math.floor(r() * 3)]}`;
      const target = Math.max(1, Math.round(perUser * (0.3 + 1.4 * r())));
      let n = 0;
      while (n < target) {
        let t = start + Math.floor(r() * 30 * 86400);
        const push = (e: string) => {
          rows.push(`${id},${t},${e},${seg}`);
          n++;
        };
        const views = 1 + Math.floor(r() * 4);
        for (let i = 0; i < views && n < target; i++) {
          t += Math.floor(r() * 600);
          push(r() < 0.6 ? 'view' : NOISE[Math.floor(r() * 4)]);
        }
        if (n >= target || r() > 0.35) continue;
        t += Math.floor(r() * 7200);
        push('cart');
        if (n >= target || r() > 0.5) continue;
        t += Math.floor(r() * 86400 * 3);
        push('checkout');
        if (n >= target || r() > 0.6) continue;
        t += Math.floor(r() * 86400 * 6);
        push('purchase');
      }
    }
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      const x = rows[i];
      rows[i] = rows[j];
      rows[j] = x;
    }
    written += rows.length;
    fs.writeSync(fd, rows.join('\n') + '\n');
  }
  fs.closeSync(fd);
  return written;
}
