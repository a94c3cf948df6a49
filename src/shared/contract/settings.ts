import { z } from 'zod';
import { call } from './call';

export const ProviderName = z.enum(['auto', 'ollama', 'embedded', 'openai', 'none']);
export type ProviderName = z.infer<typeof ProviderName>;

function httpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export const RouteLimit = z
  .object({
    concurrent: z.number().int().min(1).max(64),
    queue: z.number().int().min(0).max(10_000),
  })
  .strict();

export const Settings = z.object({
  llm: z
    .object({
      provider: ProviderName.default('auto'),
      /** Empty: OLLAMA_HOST or http://127.0.0.1:11434. Only http(s) URLs: a model host is never a file. */
      ollamaHost: z
        .string()
        .max(2000)
        .refine((v) => v === '' || httpUrl(v), 'must be an http:// or https:// URL')
        .default(''),
      ollamaModel: z.string().default('llama3.2:3b'),
      embeddedModelPath: z.string().default(''),
      embeddedThreads: z.number().int().min(1).max(64).default(1),
      openaiBaseUrl: z.string().max(2000).refine(httpUrl, 'must be an http:// or https:// URL').default('https://api.openai.com/v1'),
      openaiModel: z.string().default('gpt-4o-mini'),
      /** Remote providers stay off until the user turns this on explicitly. */
      remoteEnabled: z.boolean().default(false),
      redactSegments: z.boolean().default(false),
      timeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
      cacheTtlHours: z
        .number()
        .min(0)
        .max(24 * 365)
        .default(24),
      dailyLimit: z.record(z.string(), z.number().int().min(0)).default({ openai: 200 }),
      /** Providers tried in order after the chosen one fails; the computed analysis is always last. */
      fallback: z
        .array(z.enum(['ollama', 'embedded', 'openai']))
        .max(3)
        .default([]),
    })
    .prefault({}),
  reports: z.object({ paper: z.enum(['A4', 'Letter']).default('A4') }).prefault({}),
  /** The engine an experiment read-out uses when the analysis does not name one. */
  experiments: z.object({ engine: z.enum(['frequentist', 'bayesian']).default('frequentist') }).prefault({}),
  onboarding: z.object({ sampleOffered: z.boolean().default(false) }).prefault({}),
  /** How many model-backed calls of each group run at once, and how many may wait; past that, 429. */
  limits: z
    .object({
      ask: RouteLimit.default({ concurrent: 2, queue: 8 }),
      reports: RouteLimit.default({ concurrent: 1, queue: 4 }),
      narration: RouteLimit.default({ concurrent: 2, queue: 16 }),
    })
    .prefault({}),
});
export type Settings = z.infer<typeof Settings>;

/**
 * The same fields with their defaults removed: zod fills a default into an omitted optional
 * field, which would turn a one-field patch into a reset of every other field.
 */
function patchOf<T extends z.ZodRawShape>(shape: T) {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(shape)) {
    const field = v instanceof z.ZodDefault ? v.unwrap() : v;
    out[k] = (field as z.ZodType).optional();
  }
  return z.object(out as { [K in keyof T]: z.ZodOptional<T[K] extends z.ZodDefault<infer I> ? I : T[K]> }).strict();
}

/** Deep-partial patch; unknown keys are rejected so a typo never silently does nothing. */
export const SettingsPatch = z
  .object({
    llm: patchOf(Settings.shape.llm.unwrap().shape).optional(),
    reports: patchOf(Settings.shape.reports.unwrap().shape).optional(),
    experiments: patchOf(Settings.shape.experiments.unwrap().shape).optional(),
    onboarding: patchOf(Settings.shape.onboarding.unwrap().shape).optional(),
    limits: patchOf(Settings.shape.limits.unwrap().shape).optional(),
    /** Write-only: the key is stored locally and never returned. Empty string clears it. */
    openaiApiKey: z.string().max(500).optional(),
  })
  .strict();

export const SettingsView = Settings.extend({
  openaiApiKeySet: z.boolean(),
  dataDir: z.string(),
  secrets: z.object({
    /** Electron's safeStorage, the OS keyring (secret-tool), or a 0600 file. */
    store: z.enum(['electron-safe-storage', 'os-keyring', 'file']),
    /** Set when the store is weaker than the OS keychain; Settings shows it. */
    warning: z.string().nullable(),
    /** 'env': IAFA_OPENAI_API_KEY or OPENAI_API_KEY, used and never stored. */
    keySource: z.enum(['env', 'stored', 'none']),
  }),
});
export type SettingsView = z.infer<typeof SettingsView>;

export const settingsGet = call({
  name: 'settings:get',
  summary: 'Current settings (secrets are reported as set/unset, never returned).',
  http: { method: 'GET', path: '/api/v1/settings' },
  input: z.object({}).strict(),
  output: SettingsView,
});

export const settingsUpdate = call({
  name: 'settings:update',
  summary: 'Change settings; returns the new settings.',
  http: { method: 'PATCH', path: '/api/v1/settings' },
  input: SettingsPatch,
  output: SettingsView,
});

export const LimitGroupName = z.enum(['ask', 'reports', 'narration']);
export type LimitGroupName = z.infer<typeof LimitGroupName>;

export const LimitsStatus = z.object({
  /** IAFA_MAX_UPLOAD_MB: the largest file `iafa serve` accepts as an upload. */
  uploadMaxMb: z.number(),
  /** IAFA_MAX_REPLY_KB: the longest model reply read before it is cut off. */
  replyMaxKb: z.number(),
  groups: z.array(
    z.object({
      name: LimitGroupName,
      /** The contract calls the group covers. */
      calls: z.array(z.string()),
      concurrent: z.number().int(),
      queue: z.number().int(),
      running: z.number().int().nonnegative(),
      waiting: z.number().int().nonnegative(),
    }),
  ),
  /** `iafa serve`'s worker pool (absent elsewhere): threads, calls running and waiting, queue size (IAFA_QUEUE). */
  pool: z
    .object({
      workers: z.number().int(),
      running: z.number().int().nonnegative(),
      waiting: z.number().int().nonnegative(),
      queue: z.number().int(),
    })
    .optional(),
});
export type LimitsStatus = z.infer<typeof LimitsStatus>;

export const limitsStatus = call({
  name: 'limits:status',
  summary: 'Rate limits of the model-backed routes: the configured sizes and what runs and waits now.',
  http: { method: 'GET', path: '/api/v1/limits' },
  input: z.object({}).strict(),
  output: LimitsStatus,
});
