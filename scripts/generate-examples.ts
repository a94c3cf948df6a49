/**
 * Writes the small example files the README's CLI examples use (resources/samples):
 *   ab_test_users.csv             a user-level A/B table (one row per user)
 *   daily_control.csv, daily_treatment.csv   one aggregated daily export per arm
 *   leads.csv, deals.csv          a two-file funnel (leads, then the deals closed from them)
 * Synthetic and seeded, so the committed files are reproducible: npx tsx scripts/generate-examples.ts
 * Their planted effects are in resources/samples/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/core/random';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'samples');
const rnd = seededRandom(20260105);
const day = (i: number) => new Date(Date.UTC(2026, 2, 2 + i)).toISOString().slice(0, 10);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
/** Poisson-ish count around a mean (normal approximation, never below zero). */
const around = (mean: number) => Math.max(0, Math.round(mean + Math.sqrt(mean) * (rnd() + rnd() + rnd() - 1.5) * 2));

// A/B table: 4,000 users over 14 days; B converts 12% against A's 10%, revenue per buyer alike.
const ab = ['user_id,variant,platform,signup_date,converted,revenue'];
for (let u = 1; u <= 4000; u++) {
  const variant = rnd() < 0.5 ? 'A' : 'B';
  const platform = pick(['iOS', 'Android', 'Web']);
  const converted = rnd() < (variant === 'B' ? 0.12 : 0.1) ? 1 : 0;
  const revenue = converted ? (20 + rnd() * 40).toFixed(2) : '0';
  ab.push(`u${u},${variant},${platform},${day(Math.floor(rnd() * 14))},${converted},${revenue}`);
}
fs.writeFileSync(path.join(OUT, 'ab_test_users.csv'), ab.join('\n') + '\n');

// Daily exports per arm, 28 days: Visits → Signups → Purchases; the treatment lifts signups 10%.
for (const [arm, lift] of [
  ['control', 1],
  ['treatment', 1.1],
] as const) {
  const rows = ['Date,Visits,Signups,Purchases'];
  for (let i = 0; i < 28; i++) {
    const visits = around(2000);
    const signups = around(visits * 0.08 * lift);
    rows.push(`${day(i)},${visits},${signups},${around(signups * 0.25)}`);
  }
  fs.writeFileSync(path.join(OUT, `daily_${arm}.csv`), rows.join('\n') + '\n');
}

// Leads and the deals closed from them (about 12% of leads, 3 to 40 days later).
const leads = ['lead_id,first_contact_date,origin'];
const deals = ['lead_id,won_date,segment'];
for (let l = 1; l <= 1500; l++) {
  const d = Math.floor(rnd() * 60);
  const origin = pick(['organic_search', 'paid_search', 'social', 'email']);
  leads.push(`L${l},${day(d)},${origin}`);
  if (rnd() < (origin === 'email' ? 0.2 : 0.1)) deals.push(`L${l},${day(d + 3 + Math.floor(rnd() * 38))},${pick(['retail', 'services', 'software'])}`);
}
fs.writeFileSync(path.join(OUT, 'leads.csv'), leads.join('\n') + '\n');
fs.writeFileSync(path.join(OUT, 'deals.csv'), deals.join('\n') + '\n');
