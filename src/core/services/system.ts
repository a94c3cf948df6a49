import { IAFA_VERSION } from '../version';
import { migrationCount } from '../db';
import { llmStatus } from '../llm/status';
import type { AppContext, HandlerGroup } from './context';
import { readOpenAiKey, readSettings } from './settings';

export function systemHandlers(app: AppContext): HandlerGroup<'health:get' | 'llm:status'> {
  return {
    'health:get': () => ({
      status: 'ok' as const,
      version: IAFA_VERSION,
      dataDir: app.dataDir,
      database: { path: app.db.$client.name, migrations: migrationCount(app.db.$client) },
      uptimeSeconds: (Date.now() - app.startedAt) / 1000,
    }),
    'llm:status': () => llmStatus(readSettings(app), { env: app.env, openaiKeySet: readOpenAiKey(app) !== '', openaiKey: readOpenAiKey(app) }),
  };
}
