import crypto from 'node:crypto';
import { and, desc, eq, gt, gte, isNull, ne, or, sql } from 'drizzle-orm';
import type { GroundingReport, LlmUsage, Settings } from '../../shared/contract';
import { IafaError } from '../../shared/contract';
import { schema, type Db } from '../db';
import { newId, nowIso } from '../ids';

export function cacheKey(parts: Record<string, unknown>): string {
  return crypto.createHash('sha256').update(stableJson(parts)).digest('hex');
}

/** Key order must not change a cache key. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export interface StoredGeneration {
  id: string;
  narrative: Record<string, unknown>;
  grounding: GroundingReport;
  provider: string;
  model: string;
  tokensIn: number | null;
  tokensOut: number | null;
}

export function findCached(db: Db, key: string, now = new Date()): StoredGeneration | null {
  const row = db
    .select()
    .from(schema.generations)
    .where(
      and(
        eq(schema.generations.cacheKey, key),
        eq(schema.generations.cacheHit, false),
        or(isNull(schema.generations.expiresAt), gt(schema.generations.expiresAt, now.toISOString())),
      ),
    )
    .orderBy(desc(schema.generations.createdAt))
    .limit(1)
    .get();
  if (!row) return null;
  return {
    id: row.id,
    provider: row.provider,
    model: row.model,
    tokensIn: row.tokensIn,
    tokensOut: row.tokensOut,
    narrative: JSON.parse(row.responseJson) as Record<string, unknown>,
    grounding: JSON.parse(row.groundingJson) as GroundingReport,
  };
}

export interface GenerationRecord {
  cacheKey: string;
  task: string;
  promptId: string;
  promptVersion: string;
  provider: string;
  model: string;
  funnelId: string | null;
  request: unknown;
  narrative: unknown;
  factIds: string[];
  grounding: GroundingReport;
  durationMs: number;
  tokensIn: number | null;
  tokensOut: number | null;
  cacheHit: boolean;
  ttlHours: number;
}

export function saveGeneration(db: Db, r: GenerationRecord): string {
  const id = newId('gen');
  const now = new Date();
  // A funnel id that is not (or no longer) stored must not fail the write: the generation is still worth keeping.
  const funnelExists = r.funnelId ? db.select({ id: schema.funnels.id }).from(schema.funnels).where(eq(schema.funnels.id, r.funnelId)).get() : undefined;
  db.insert(schema.generations)
    .values({
      id,
      cacheKey: r.cacheKey,
      task: r.task,
      promptId: r.promptId,
      promptVersion: r.promptVersion,
      provider: r.provider,
      model: r.model,
      funnelId: funnelExists ? r.funnelId : null,
      requestJson: JSON.stringify(r.request),
      responseJson: JSON.stringify(r.narrative),
      factsJson: JSON.stringify(r.factIds),
      groundingJson: JSON.stringify(r.grounding),
      durationMs: Math.round(r.durationMs),
      tokensIn: r.tokensIn,
      tokensOut: r.tokensOut,
      cacheHit: r.cacheHit,
      createdAt: now.toISOString(),
      expiresAt: r.ttlHours > 0 ? new Date(now.getTime() + r.ttlHours * 3_600_000).toISOString() : now.toISOString(),
    })
    .run();
  return id;
}

export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

// Published list prices (USD per million tokens, input/output); unknown remote models use the
// dearest row so the estimate errs high rather than surprising anyone.
const PRICES: [RegExp, number, number][] = [
  [/gpt-4o-mini|gpt-4\.1-mini/, 0.15, 0.6],
  [/gpt-4\.1-nano/, 0.1, 0.4],
  [/gpt-4o|gpt-4\.1/, 2.5, 10],
  [/gpt-3\.5/, 0.5, 1.5],
];

export function estimateCost(model: string, tokensIn: number, tokensOut: number): number {
  const [, pin, pout] = PRICES.find(([rx]) => rx.test(model)) ?? [null, 10, 30];
  return (tokensIn * pin + tokensOut * pout) / 1_000_000;
}

export function requestsToday(db: Db, provider: string): number {
  const row = db
    .select()
    .from(schema.usage)
    .where(and(eq(schema.usage.provider, provider), eq(schema.usage.day, today())))
    .get();
  return row?.requests ?? 0;
}

export function checkDailyLimit(db: Db, settings: Settings, provider: string): string | null {
  const limit = settings.llm.dailyLimit[provider];
  if (limit === undefined) return null;
  const used = requestsToday(db, provider);
  return used >= limit ? `The daily limit of ${limit} ${provider} requests is reached (change it in Settings).` : null;
}

export function recordUsage(db: Db, provider: string, tokensIn: number | null, tokensOut: number | null, costUsd: number): void {
  db.insert(schema.usage)
    .values({ provider, day: today(), requests: 1, tokensIn: tokensIn ?? 0, tokensOut: tokensOut ?? 0, costUsd })
    .onConflictDoUpdate({
      target: [schema.usage.provider, schema.usage.day],
      set: {
        requests: sql`${schema.usage.requests} + 1`,
        tokensIn: sql`${schema.usage.tokensIn} + ${tokensIn ?? 0}`,
        tokensOut: sql`${schema.usage.tokensOut} + ${tokensOut ?? 0}`,
        costUsd: sql`${schema.usage.costUsd} + ${costUsd}`,
      },
    })
    .run();
}

export function saveFeedback(db: Db, f: { generationId: string; itemPath: string; helpful?: boolean; stars?: number; comment?: string }): string {
  const gen = db.select({ id: schema.generations.id }).from(schema.generations).where(eq(schema.generations.id, f.generationId)).get();
  if (!gen) throw new IafaError('not_found', `No generation with id "${f.generationId}".`);
  const id = newId('fb');
  db.insert(schema.generationFeedback)
    .values({
      id,
      generationId: f.generationId,
      itemPath: f.itemPath,
      helpful: f.helpful ?? null,
      stars: f.stars ?? null,
      comment: f.comment ?? null,
      createdAt: nowIso(),
    })
    .run();
  return id;
}

export function usageSummary(db: Db, settings: Settings, days: number): LlmUsage {
  const since = new Date(Date.now() - days * 86_400_000).toISOString();
  const perDay = db
    .select({
      day: sql<string>`substr(${schema.generations.createdAt}, 1, 10)`,
      generations: sql<number>`count(*)`,
      cache_hits: sql<number>`sum(${schema.generations.cacheHit})`,
    })
    .from(schema.generations)
    // The deterministic analyst stores its results here too (prompt id "deterministic"); they are not generations.
    .where(and(gte(schema.generations.createdAt, since), ne(schema.generations.promptId, 'deterministic')))
    .groupBy(sql`substr(${schema.generations.createdAt}, 1, 10)`)
    .orderBy(sql`1`)
    .all()
    .map((r) => ({ day: r.day, generations: Number(r.generations), cache_hits: Number(r.cache_hits ?? 0) }));
  const generations = perDay.reduce((a, r) => a + r.generations, 0);
  const cacheHits = perDay.reduce((a, r) => a + r.cache_hits, 0);
  const fb = db
    .select({
      rated: sql<number>`count(${schema.generationFeedback.helpful})`,
      helpful: sql<number>`sum(case when ${schema.generationFeedback.helpful} = 1 then 1 else 0 end)`,
      stars: sql<number | null>`avg(${schema.generationFeedback.stars})`,
    })
    .from(schema.generationFeedback)
    .where(gte(schema.generationFeedback.createdAt, since))
    .get();
  const sinceDay = since.slice(0, 10);
  const usageRows = db
    .select({
      provider: schema.usage.provider,
      requests: sql<number>`sum(${schema.usage.requests})`,
      tokensIn: sql<number>`sum(${schema.usage.tokensIn})`,
      tokensOut: sql<number>`sum(${schema.usage.tokensOut})`,
      cost: sql<number>`sum(${schema.usage.costUsd})`,
    })
    .from(schema.usage)
    .where(gte(schema.usage.day, sinceDay))
    .groupBy(schema.usage.provider)
    .all();
  const providers = usageRows.map((u) => ({
    provider: u.provider,
    requests_today: requestsToday(db, u.provider),
    daily_limit: settings.llm.dailyLimit[u.provider] ?? null,
    requests: Number(u.requests),
    tokens_in: Number(u.tokensIn),
    tokens_out: Number(u.tokensOut),
    cost_usd: Number(u.cost),
  }));
  const rated = Number(fb?.rated ?? 0);
  return {
    generations,
    cache_hits: cacheHits,
    cache_hit_rate: generations ? cacheHits / generations : null,
    rated_items: rated,
    helpful_share: rated ? Number(fb?.helpful ?? 0) / rated : null,
    average_stars: fb?.stars == null ? null : Number(fb.stars),
    per_day: perDay,
    providers,
    remote_cost_usd: providers.reduce((a, p) => a + p.cost_usd, 0),
  };
}
