import { createHash } from 'node:crypto';
import { and, asc, desc, eq, type SQL } from 'drizzle-orm';
import {
  FunnelDefinition,
  IafaError,
  InsightRecommendation,
  type AnalyticsInput,
  type FunnelResult,
  type HypothesesReport,
  type InsightsReport,
  type RecommendationStatus,
  type StoredRecommendation,
} from '../../shared/contract';
import { schema } from '../db';
import { newId, nowIso } from '../ids';
import { analyzeFunnel, buildHypotheses } from '../insights';
import { funnelOn, withBackend } from './backend-for';
import type { AppContext, HandlerGroup } from './context';
import { getDatasetRow, toDataset } from './datasets';
import { getFunnel } from './funnels';

/** Segments whose own daily series are computed for per-segment anomalies and trade-offs. */
const MAX_SEGMENT_SERIES = 6;

interface Resolved {
  funnelId: string | null;
  datasetId: string;
  definition: FunnelDefinition;
  scope: string;
}

/** The seed's request fields map onto the funnel definition: dates, filters, breakdown. */
export function resolveDefinition(app: AppContext, input: AnalyticsInput): Resolved {
  const saved = input.funnelId ? getFunnel(app, input.funnelId) : null;
  const datasetId = saved?.datasetId ?? input.datasetId;
  const base = saved?.definition ?? input.definition;
  if (!datasetId || !base) throw new IafaError('validation', 'give either funnelId, or datasetId and definition');
  const def = FunnelDefinition.parse({
    ...base,
    ...(input.start_date ? { from: input.start_date } : {}),
    ...(input.end_date ? { to: input.end_date } : {}),
    include: { ...base.include, ...(input.segment_filters ?? {}) },
    breakdown: input.segment_by === null ? undefined : (input.segment_by ?? base.breakdown),
  });
  const scope = saved ? `funnel:${saved.id}` : `dataset:${datasetId}:${def.steps.map((s) => s.event).join('>')}`;
  return { funnelId: saved?.id ?? null, datasetId, definition: def, scope };
}

/**
 * The deterministic analyst on a funnel: the funnel and its top segments' daily series come from
 * the dataset's backend (the column store, or ClickHouse for a warehouse source: aggregates only),
 * then the same analyst runs here on them.
 */
export async function analyzeAny(app: AppContext, input: AnalyticsInput, signal: AbortSignal): Promise<InsightsReport> {
  const { funnelId, datasetId, definition, scope } = resolveDefinition(app, input);
  return withBackend(app, datasetId, async (backend) => {
    let result: FunnelResult = await funnelOn(backend, datasetId, definition, signal);
    if (!input.include_historical) result = { ...result, previous_period: null };
    const segmentDaily: Record<string, FunnelResult['daily']> = {};
    if (definition.breakdown && result.segment_breakdown && result.daily.length >= 7) {
      const top = Object.entries(result.segment_breakdown)
        .sort((a, b) => b[1].total_users - a[1].total_users)
        .slice(0, MAX_SEGMENT_SERIES);
      for (const [name] of top) {
        if (signal.aborted) throw new IafaError('cancelled', 'The operation was cancelled.');
        const def = { ...definition, breakdown: undefined, include: { ...definition.include, [definition.breakdown]: [name] } };
        segmentDaily[name] = (await funnelOn(backend, datasetId, def, signal)).daily;
      }
    }
    // An imported dataset's import warnings go with the findings; a warehouse table has none.
    const ds = backend.kind === 'local' ? toDataset(getDatasetRow(app, datasetId)) : null;
    return analyzeFunnel(result, {
      segmentDaily,
      dataWarnings: ds?.warnings.map((w) => w.message) ?? [],
      // Aggregated exports count each day on its own: no cohort is waiting to convert.
      ...(ds?.kind === 'aggregated' ? { censorDays: 0 } : {}),
      audience: input.audience,
      funnelId,
      scope,
      ...(input.forecast_threshold !== undefined ? { forecastThreshold: input.forecast_threshold } : {}),
    });
  });
}

/** Upsert by fingerprint: a regenerated recommendation keeps its id and status, its text is refreshed. */
function persist(app: AppContext, report: InsightsReport, generationId: string): void {
  const now = nowIso();
  app.db.$client.transaction(() => {
    for (const rec of report.recommendations) {
      const existing = app.db.select().from(schema.recommendations).where(eq(schema.recommendations.fingerprint, rec.fingerprint)).get();
      if (existing) {
        rec.status = existing.status as RecommendationStatus;
        app.db
          .update(schema.recommendations)
          .set({ title: rec.title, priority: rec.priority, bodyJson: JSON.stringify(rec), generationId, updatedAt: now })
          .where(eq(schema.recommendations.id, existing.id))
          .run();
        rec.id = existing.id;
      } else {
        app.db
          .insert(schema.recommendations)
          .values({
            id: rec.id,
            funnelId: report.funnel_id,
            generationId,
            fingerprint: rec.fingerprint,
            title: rec.title,
            priority: rec.priority,
            bodyJson: JSON.stringify(rec),
            status: 'New',
            createdAt: now,
            updatedAt: now,
          })
          .run();
        app.db
          .insert(schema.recommendationStatusHistory)
          .values({ id: newId('rsh'), recommendationId: rec.id, fromStatus: null, toStatus: 'New', note: null, changedAt: now })
          .run();
      }
    }
  })();
}

function storeGeneration(app: AppContext, task: string, input: AnalyticsInput, funnelId: string | null, response: unknown, facts: unknown): string {
  const id = newId('gen');
  const requestJson = JSON.stringify(input);
  app.db
    .insert(schema.generations)
    .values({
      id,
      cacheKey: `deterministic:${task}:${createHash('sha256').update(requestJson).digest('hex').slice(0, 32)}`,
      task,
      promptId: 'deterministic',
      promptVersion: '1',
      provider: 'none',
      model: 'none',
      funnelId,
      requestJson,
      responseJson: JSON.stringify(response),
      factsJson: JSON.stringify(facts),
      createdAt: nowIso(),
    })
    .run();
  return id;
}

function stored(app: AppContext, row: typeof schema.recommendations.$inferSelect): StoredRecommendation {
  const history = app.db
    .select()
    .from(schema.recommendationStatusHistory)
    .where(eq(schema.recommendationStatusHistory.recommendationId, row.id))
    .orderBy(asc(schema.recommendationStatusHistory.changedAt))
    .all();
  const body = InsightRecommendation.parse({ ...JSON.parse(row.bodyJson), id: row.id, status: row.status });
  return {
    id: row.id,
    funnel_id: row.funnelId,
    fingerprint: row.fingerprint,
    title: row.title,
    priority: body.priority,
    status: row.status as RecommendationStatus,
    body,
    history: history.map((h) => ({
      from: (h.fromStatus as RecommendationStatus | null) ?? null,
      to: h.toStatus as RecommendationStatus,
      note: h.note,
      changed_at: h.changedAt,
    })),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

export function insightsHandlers(
  app: AppContext,
): HandlerGroup<'analytics:recommendations' | 'analytics:hypotheses' | 'recommendations:list' | 'recommendations:set-status'> {
  return {
    'analytics:recommendations': async (input, ctx) => {
      const report = await analyzeAny(app, input, ctx.signal);
      const generationId = storeGeneration(app, 'recommendations', input, report.funnel_id, { ...report, facts: undefined }, report.facts);
      persist(app, report, generationId);
      return report;
    },
    'analytics:hypotheses': async (input, ctx) => {
      const report = await analyzeAny(app, input, ctx.signal);
      const hypotheses = buildHypotheses(report, input.focus_areas);
      const ids = new Set(hypotheses.flatMap((h) => h.fact_ids));
      const citations: Record<string, string[]> = {};
      hypotheses.forEach((h, i) => (citations[`hypotheses.${i}.description`] = h.fact_ids));
      const out: HypothesesReport = {
        funnel_id: report.funnel_id,
        dataset_id: report.dataset_id,
        hypotheses,
        facts: report.facts.filter((f) => ids.has(f.id)),
        citations,
        provider: 'none',
        generated_at: report.generated_at,
      };
      storeGeneration(app, 'hypotheses', input, report.funnel_id, { ...out, facts: undefined }, out.facts);
      return out;
    },
    'recommendations:list': ({ funnelId, status }) => {
      const conds: SQL[] = [];
      if (funnelId) conds.push(eq(schema.recommendations.funnelId, funnelId));
      if (status) conds.push(eq(schema.recommendations.status, status));
      const rows = app.db
        .select()
        .from(schema.recommendations)
        .where(conds.length ? and(...conds) : undefined)
        .orderBy(desc(schema.recommendations.updatedAt))
        .all();
      return { recommendations: rows.map((r) => stored(app, r)) };
    },
    'recommendations:set-status': ({ id, status, note }) => {
      const row = app.db.select().from(schema.recommendations).where(eq(schema.recommendations.id, id)).get();
      if (!row) throw new IafaError('not_found', `No recommendation with id "${id}".`);
      const now = nowIso();
      app.db.$client.transaction(() => {
        app.db.update(schema.recommendations).set({ status, updatedAt: now }).where(eq(schema.recommendations.id, id)).run();
        app.db
          .insert(schema.recommendationStatusHistory)
          .values({ id: newId('rsh'), recommendationId: id, fromStatus: row.status, toStatus: status, note: note ?? null, changedAt: now })
          .run();
      })();
      const updated = app.db.select().from(schema.recommendations).where(eq(schema.recommendations.id, id)).get();
      if (!updated) throw new IafaError('internal', 'recommendation vanished during update');
      return stored(app, updated);
    },
  };
}
