import { eq } from 'drizzle-orm';
import { Settings, type SettingsView } from '../../shared/contract';
import { schema } from '../db';
import { nowIso } from '../ids';
import type { AppContext, HandlerGroup } from './context';

const KEY = 'app';
const SECRET_KEY = 'secret.openaiApiKey';

function readRaw(app: AppContext, key: string): unknown {
  const row = app.db.select().from(schema.settings).where(eq(schema.settings.key, key)).get();
  if (!row) return undefined;
  try {
    return JSON.parse(row.valueJson);
  } catch {
    return undefined;
  }
}

function writeRaw(app: AppContext, key: string, value: unknown): void {
  const valueJson = JSON.stringify(value);
  app.db.insert(schema.settings).values({ key, valueJson, updatedAt: nowIso() })
    .onConflictDoUpdate({ target: schema.settings.key, set: { valueJson, updatedAt: nowIso() } }).run();
}

/** Settings written by an older version may miss fields or hold stale ones: defaults fill the gaps. */
export function readSettings(app: AppContext): Settings {
  const parsed = Settings.safeParse(readRaw(app, KEY) ?? {});
  return parsed.success ? parsed.data : Settings.parse({});
}

export function readOpenAiKey(app: AppContext): string {
  const v = readRaw(app, SECRET_KEY);
  return typeof v === 'string' ? v : '';
}

function view(app: AppContext): SettingsView {
  return { ...readSettings(app), openaiApiKeySet: readOpenAiKey(app) !== '', dataDir: app.dataDir };
}

export function settingsHandlers(app: AppContext): HandlerGroup<'settings:get' | 'settings:update'> {
  return {
    'settings:get': () => view(app),
    'settings:update': (patch) => {
      const cur = readSettings(app);
      const next = Settings.parse({
        llm: { ...cur.llm, ...patch.llm },
        reports: { ...cur.reports, ...patch.reports },
        experiments: { ...cur.experiments, ...patch.experiments },
        onboarding: { ...cur.onboarding, ...patch.onboarding },
      });
      app.sqlite.transaction(() => {
        writeRaw(app, KEY, next);
        if (patch.openaiApiKey !== undefined) writeRaw(app, SECRET_KEY, patch.openaiApiKey);
      })();
      return view(app);
    },
  };
}
