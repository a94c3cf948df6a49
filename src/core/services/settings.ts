import { eq } from 'drizzle-orm';
import { Settings, type SettingsView } from '../../shared/contract';
import { schema } from '../db';
import { nowIso } from '../ids';
import { envOpenAiKey, OPENAI_KEY } from '../secrets';
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
  app.db
    .insert(schema.settings)
    .values({ key, valueJson, updatedAt: nowIso() })
    .onConflictDoUpdate({ target: schema.settings.key, set: { valueJson, updatedAt: nowIso() } })
    .run();
}

/** Settings written by an older version may miss fields or hold stale ones: defaults fill the gaps. */
export function readSettings(app: AppContext): Settings {
  const raw = readRaw(app, KEY) ?? {};
  const parsed = Settings.safeParse(raw);
  if (parsed.success) return parsed.data;
  // A field an older version accepted and this one refuses (e.g. a file:// model host) falls
  // back to its default alone; the user's other settings stay.
  const copy = structuredClone(raw) as Record<string, Record<string, unknown>>;
  for (const issue of parsed.error.issues) {
    const [group, field] = issue.path as string[];
    if (field !== undefined && copy?.[group] && typeof copy[group] === 'object') delete copy[group][field];
  }
  const retry = Settings.safeParse(copy);
  return retry.success ? retry.data : Settings.parse({});
}

/** The environment's key wins and is never stored; else the secret store's. */
export function readOpenAiKey(app: AppContext): string {
  return envOpenAiKey(app.env) || app.secrets.get(OPENAI_KEY);
}

/**
 * Older versions kept the key as plain JSON in the settings table: it moves to the secret store,
 * and secure_delete plus a checkpoint overwrite the freed pages so no copy stays in the file.
 */
export function migratePlainSecrets(app: AppContext): void {
  const v = readRaw(app, SECRET_KEY);
  if (v === undefined) return;
  try {
    if (typeof v === 'string' && v !== '' && app.secrets.get(OPENAI_KEY) === '') app.secrets.set(OPENAI_KEY, v);
  } catch {
    // A locked keyring must not stop the app from starting; the next start tries again.
    return;
  }
  app.db.$client.pragma('secure_delete = ON');
  app.db.delete(schema.settings).where(eq(schema.settings.key, SECRET_KEY)).run();
  app.db.$client.pragma('wal_checkpoint(TRUNCATE)');
  app.db.$client.pragma('secure_delete = OFF');
}

function view(app: AppContext): SettingsView {
  const fromEnv = envOpenAiKey(app.env) !== '';
  const stored = app.secrets.get(OPENAI_KEY) !== '';
  return {
    ...readSettings(app),
    openaiApiKeySet: fromEnv || stored,
    dataDir: app.dataDir,
    secrets: { store: app.secrets.kind, warning: app.secrets.warning, keySource: fromEnv ? 'env' : stored ? 'stored' : 'none' },
  };
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
        limits: { ...cur.limits, ...patch.limits },
      });
      // The key first: a keyring that refuses it leaves the other settings unchanged too.
      if (patch.openaiApiKey !== undefined) app.secrets.set(OPENAI_KEY, patch.openaiApiKey.trim());
      writeRaw(app, KEY, next);
      return view(app);
    },
  };
}
