import { sqliteTable, text, integer, real, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Timestamps are ISO-8601 strings (UTC): readable in any SQLite browser and sortable as text.
// JSON payloads are stored as text and validated by the contract's zod schemas when read.

export const datasets = sqliteTable('datasets', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  format: text('format').notNull(),
  sourceName: text('source_name').notNull(),
  sourceBytes: integer('source_bytes').notNull(),
  rowCount: integer('row_count').notNull(),
  userCount: integer('user_count'),
  columnsJson: text('columns_json').notNull(),
  mappingJson: text('mapping_json').notNull(),
  warningsJson: text('warnings_json').notNull().default('[]'),
  eventsJson: text('events_json').notNull().default('[]'),
  timeStart: text('time_start'),
  timeEnd: text('time_end'),
  /** Folder (relative to the data dir) holding the columnar store. */
  storePath: text('store_path').notNull(),
  /**
   * A warehouse table saved as a dataset (no stored columns): its clickhouse:// URL with the
   * column roles, never a password (that is in the SecretStore), and its query limits. Null for imports.
   */
  warehouseJson: text('warehouse_json'),
  createdAt: text('created_at').notNull(),
});

export const funnels = sqliteTable(
  'funnels',
  {
    id: text('id').primaryKey(),
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    definitionJson: text('definition_json').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('funnels_dataset_idx').on(t.datasetId)],
);

export const generations = sqliteTable(
  'generations',
  {
    id: text('id').primaryKey(),
    cacheKey: text('cache_key').notNull(),
    task: text('task').notNull(),
    promptId: text('prompt_id').notNull(),
    promptVersion: text('prompt_version').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    funnelId: text('funnel_id').references(() => funnels.id, { onDelete: 'set null' }),
    requestJson: text('request_json').notNull(),
    responseJson: text('response_json').notNull(),
    factsJson: text('facts_json').notNull().default('[]'),
    groundingJson: text('grounding_json').notNull().default('{}'),
    durationMs: integer('duration_ms').notNull().default(0),
    tokensIn: integer('tokens_in'),
    tokensOut: integer('tokens_out'),
    cacheHit: integer('cache_hit', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at'),
  },
  (t) => [index('generations_cache_idx').on(t.cacheKey, t.expiresAt), index('generations_created_idx').on(t.createdAt)],
);

export const generationFeedback = sqliteTable(
  'generation_feedback',
  {
    id: text('id').primaryKey(),
    generationId: text('generation_id')
      .notNull()
      .references(() => generations.id, { onDelete: 'cascade' }),
    /** Which item of the response (e.g. "recommendations.0"); empty for the whole response. */
    itemPath: text('item_path').notNull().default(''),
    helpful: integer('helpful', { mode: 'boolean' }),
    stars: integer('stars'),
    comment: text('comment'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('feedback_generation_idx').on(t.generationId)],
);

export const recommendations = sqliteTable(
  'recommendations',
  {
    id: text('id').primaryKey(),
    funnelId: text('funnel_id').references(() => funnels.id, { onDelete: 'cascade' }),
    generationId: text('generation_id').references(() => generations.id, { onDelete: 'set null' }),
    /** Stable across regenerations so status survives a refresh (hash of funnel + finding). */
    fingerprint: text('fingerprint').notNull(),
    title: text('title').notNull(),
    priority: text('priority').notNull(),
    bodyJson: text('body_json').notNull(),
    status: text('status').notNull().default('New'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('recommendations_fingerprint_idx').on(t.fingerprint)],
);

export const recommendationStatusHistory = sqliteTable(
  'recommendation_status_history',
  {
    id: text('id').primaryKey(),
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    note: text('note'),
    changedAt: text('changed_at').notNull(),
  },
  (t) => [index('rec_history_rec_idx').on(t.recommendationId)],
);

export const conversations = sqliteTable('conversations', {
  id: text('id').primaryKey(),
  funnelId: text('funnel_id').references(() => funnels.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    content: text('content').notNull(),
    payloadJson: text('payload_json').notNull().default('{}'),
    generationId: text('generation_id').references(() => generations.id, { onDelete: 'set null' }),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('messages_conversation_idx').on(t.conversationId, t.createdAt)],
);

export const experiments = sqliteTable('experiments', {
  id: text('id').primaryKey(),
  funnelId: text('funnel_id').references(() => funnels.id, { onDelete: 'set null' }),
  datasetId: text('dataset_id').references(() => datasets.id, { onDelete: 'set null' }),
  name: text('name').notNull(),
  hypothesis: text('hypothesis'),
  designJson: text('design_json'),
  analysisJson: text('analysis_json'),
  causalJson: text('causal_json'),
  status: text('status').notNull().default('draft'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const reports = sqliteTable('reports', {
  id: text('id').primaryKey(),
  funnelId: text('funnel_id').references(() => funnels.id, { onDelete: 'set null' }),
  datasetId: text('dataset_id').references(() => datasets.id, { onDelete: 'set null' }),
  title: text('title').notNull(),
  audience: text('audience').notNull(),
  format: text('format').notNull(),
  /** File path relative to the data dir. */
  path: text('path').notNull(),
  bytes: integer('bytes').notNull(),
  metaJson: text('meta_json').notNull().default('{}'),
  createdAt: text('created_at').notNull(),
});

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  valueJson: text('value_json').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const usage = sqliteTable(
  'usage',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider').notNull(),
    day: text('day').notNull(),
    requests: integer('requests').notNull().default(0),
    tokensIn: integer('tokens_in').notNull().default(0),
    tokensOut: integer('tokens_out').notNull().default(0),
    costUsd: real('cost_usd').notNull().default(0),
  },
  (t) => [uniqueIndex('usage_provider_day_idx').on(t.provider, t.day)],
);
