/**
 * Writes resources/samples/pinterest_events.csv: a Pinterest-style event log with known, planted
 * effects (see resources/samples/README.md). Seeded, so the committed file is reproducible:
 *   npx tsx scripts/generate-sample.ts [--seed 42] [--out path]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/core/random';

const START = Date.UTC(2026, 0, 5); // Monday 2026-01-05
const DAYS = 49; // 7 weeks, to Sunday 2026-02-22
export const ANOMALY_DAY = '2026-02-10';
export const TRADEOFF_FROM = '2026-01-26';
/**
 * Planted anomaly, a cohort effect: users whose journey starts on ANOMALY_DAY (their first session,
 * hence their first pin_view) click after saving with this factor of the usual probability, in every
 * session. The funnel's daily series counts users by the day of their first step-1 event, so the drop
 * shows there in full; an effect confined to the events of one day would be diluted across cohorts.
 */
export const ANOMALY_CLICK_FACTOR = 0.55;
/** Planted trade-off from TRADEOFF_FROM: Planners' save probability and Actors' click probability. */
export const TRADEOFF_PLANNER_SAVE_FACTOR = 0.75;
export const TRADEOFF_ACTOR_CLICK_FACTOR = 1.35;
export const SAMPLE_USERS = 100_000;
const DAY = 86_400_000;
// Monday..Sunday: people plan and pin more at the weekend.
const WEEKDAY_WEIGHT = [0.85, 0.9, 0.95, 1.0, 1.1, 1.35, 1.3];

const INTENTS = [
  ['Planner', 0.4],
  ['Actor', 0.25],
  ['Browser', 0.35],
] as const;
const TENURES = [
  ['New', 0.3],
  ['Retained', 0.55],
  ['Resurrected', 0.15],
] as const;
const PLATFORMS = [
  ['iOS', 0.45],
  ['Android', 0.35],
  ['Web', 0.2],
] as const;
const SURFACES = [
  ['Home', 0.55],
  ['Search', 0.3],
  ['Related', 0.15],
] as const;
const NOISE = ['scroll', 'search', 'profile_view', 'share', 'closeup'];
/** Chance of a noise event at each point of a session (before the first view, after each view and after a save). */
const NOISE_P = 0.2;
/** Sessions per user: 1 + floor(Exp(1) × SESSION_SCALE). */
const SESSION_SCALE = 0.4;
/** Pin views per session: 1 .. MAX_VIEWS. */
const MAX_VIEWS = 2;

// Step probabilities per intent: save | view, click | save, purchase | click.
const P = {
  Planner: { save: 0.5, click: 0.3, purchase: 0.25 },
  Actor: { save: 0.28, click: 0.5, purchase: 0.4 },
  Browser: { save: 0.16, click: 0.25, purchase: 0.12 },
} as const;

function pick<T extends string>(r: () => number, table: readonly (readonly [T, number])[]): T {
  let x = r();
  for (const [v, w] of table) {
    if (x < w) return v;
    x -= w;
  }
  return table[table.length - 1][0];
}

export function generate(seed = 42, users = SAMPLE_USERS): string[] {
  const r = seededRandom(seed);
  const rows: { t: number; line: string }[] = [];
  const iso = (t: number) => new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const totalWeight = WEEKDAY_WEIGHT.reduce((a, b) => a + b, 0) * 7;
  const anomalyIndex = (Date.parse(ANOMALY_DAY) - START) / DAY;
  // Day drawn with weekly seasonality.
  const drawDay = () => {
    let x = r() * totalWeight;
    let d = 0;
    for (; d < DAYS - 1; d++) {
      x -= WEEKDAY_WEIGHT[d % 7];
      if (x < 0) break;
    }
    return d;
  };
  for (let u = 1; u <= users; u++) {
    const id = `u${u}`;
    const intent = pick(r, INTENTS);
    const tenure = pick(r, TENURES);
    const platform = pick(r, PLATFORMS);
    const sessions = 1 + Math.floor(-Math.log(1 - r()) * SESSION_SCALE);
    const days = Array.from({ length: sessions }, drawDay);
    // The user's journey starts on their first session's day (sessions end before midnight UTC).
    const cohortHit = Math.min(...days) === anomalyIndex;
    for (const d of days) {
      const dayStr = iso(START + d * DAY).slice(0, 10);
      const hour = 6 + r() * 16;
      let t = START + d * DAY + Math.floor(hour * 3_600_000 + r() * 60_000);
      const surface = pick(r, SURFACES);
      const emit = (event: string, surf = surface) => rows.push({ t, line: `${id},${iso(t)},${event},${intent},${surf},${tenure},${platform}` });
      const step = (maxMinutes: number) => (t += Math.floor(1000 + r() * maxMinutes * 60_000));
      const noise = () => {
        if (r() < NOISE_P) {
          step(3);
          emit(NOISE[Math.floor(r() * NOISE.length)]);
        }
      };
      noise();
      const views = 1 + Math.floor(r() * MAX_VIEWS);
      for (let v = 0; v < views; v++) {
        step(4);
        emit('pin_view');
        noise();
      }
      const p = P[intent];
      const late = dayStr >= TRADEOFF_FROM;
      // Planted segment trade-off: in the second period Planners save less, Actors click more.
      const pSave = p.save * (late && intent === 'Planner' ? TRADEOFF_PLANNER_SAVE_FACTOR : 1);
      let pClick = p.click * (late && intent === 'Actor' ? TRADEOFF_ACTOR_CLICK_FACTOR : 1);
      // Planted anomaly: the cohort that starts on ANOMALY_DAY clicks much less after saving.
      if (cohortHit) pClick *= ANOMALY_CLICK_FACTOR;
      if (r() >= pSave) continue;
      step(6);
      emit('save');
      noise();
      if (r() >= pClick) continue;
      step(90);
      emit('click');
      if (r() >= p.purchase) continue;
      t += Math.floor(10 * 60_000 + r() * 30 * 3_600_000);
      emit('purchase', surface);
    }
  }
  rows.sort((a, b) => a.t - b.t);
  return ['user_id,timestamp,event,user_intent,surface,user_tenure,platform', ...rows.map((x) => x.line)];
}

function main(): void {
  const args = process.argv.slice(2);
  const seed = Number(args[args.indexOf('--seed') + 1]) || 42;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(root, 'resources', 'samples', 'pinterest_events.csv');
  const lines = generate(seed);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, lines.join('\n') + '\n');
  console.log(`${out}: ${(lines.length - 1).toLocaleString('en-US')} events, ${(fs.statSync(out).size / 1048576).toFixed(1)} MB`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
