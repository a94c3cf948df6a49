import { desc, eq } from 'drizzle-orm';
import { Funnel, IafaError } from '../../shared/contract';
import { schema } from '../db';
import { newId, nowIso } from '../ids';
import { datasetFunnel } from './backend-for';
import type { AppContext, HandlerGroup } from './context';
import { getDatasetRow } from './datasets';

type Row = typeof schema.funnels.$inferSelect;

function toFunnel(r: Row): Funnel {
  return Funnel.parse({
    id: r.id,
    datasetId: r.datasetId,
    name: r.name,
    definition: JSON.parse(r.definitionJson),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });
}

export function getFunnelRow(app: AppContext, id: string): Row {
  const row = app.db.select().from(schema.funnels).where(eq(schema.funnels.id, id)).get();
  if (!row) throw new IafaError('not_found', `No funnel with id "${id}".`);
  return row;
}

export function getFunnel(app: AppContext, id: string): Funnel {
  return toFunnel(getFunnelRow(app, id));
}

export function funnelHandlers(
  app: AppContext,
): HandlerGroup<'funnels:list' | 'funnels:create' | 'funnels:get' | 'funnels:update' | 'funnels:delete' | 'funnels:compute'> {
  return {
    // The dataset's backend computes it: the column store here, or ClickHouse for a clickhouse:// source
    // or a saved warehouse table (only aggregates come back).
    'funnels:compute': async (input, ctx) => {
      if (input.funnelId) {
        const f = getFunnel(app, input.funnelId);
        return { ...(await datasetFunnel(app, f.datasetId, f.definition, ctx.signal)), funnel_name: f.name };
      }
      return datasetFunnel(app, input.datasetId!, input.definition!, ctx.signal);
    },
    'funnels:list': ({ datasetId }) => {
      const q = app.db.select().from(schema.funnels);
      const rows = (datasetId ? q.where(eq(schema.funnels.datasetId, datasetId)) : q).orderBy(desc(schema.funnels.updatedAt)).all();
      return { funnels: rows.map(toFunnel) };
    },
    'funnels:create': ({ datasetId, name, definition }) => {
      getDatasetRow(app, datasetId);
      const now = nowIso();
      const row = { id: newId('fn'), datasetId, name, definitionJson: JSON.stringify(definition), createdAt: now, updatedAt: now };
      app.db.insert(schema.funnels).values(row).run();
      return toFunnel(row);
    },
    'funnels:get': ({ id }) => getFunnel(app, id),
    'funnels:update': ({ id, name, definition }) => {
      getFunnelRow(app, id);
      const set: Partial<Row> = { updatedAt: nowIso() };
      if (name !== undefined) set.name = name;
      if (definition !== undefined) set.definitionJson = JSON.stringify(definition);
      app.db.update(schema.funnels).set(set).where(eq(schema.funnels.id, id)).run();
      return getFunnel(app, id);
    },
    'funnels:delete': ({ id }) => {
      getFunnelRow(app, id);
      app.db.delete(schema.funnels).where(eq(schema.funnels.id, id)).run();
      return { deleted: true as const };
    },
  };
}
