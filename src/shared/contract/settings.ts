import { z } from 'zod';
import { call } from './call';

export const ProviderName = z.enum(['auto', 'ollama', 'embedded', 'openai', 'none']);
export type ProviderName = z.infer<typeof ProviderName>;

export const Settings = z.object({
  llm: z.object({
    provider: ProviderName.default('auto'),
    ollamaHost: z.string().default(''),
    ollamaModel: z.string().default('llama3.2:3b'),
    embeddedModelPath: z.string().default(''),
    embeddedThreads: z.number().int().min(1).max(64).default(1),
    openaiBaseUrl: z.string().default('https://api.openai.com/v1'),
    openaiModel: z.string().default('gpt-4o-mini'),
    /** Remote providers stay off until the user turns this on explicitly. */
    remoteEnabled: z.boolean().default(false),
    redactSegments: z.boolean().default(false),
    timeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
    cacheTtlHours: z.number().min(0).max(24 * 365).default(24),
    dailyLimit: z.record(z.string(), z.number().int().min(0)).default({ openai: 200 }),
    /** Providers tried in order after the chosen one fails; the computed analysis is always last. */
    fallback: z.array(z.enum(['ollama', 'embedded', 'openai'])).max(3).default([]),
  }).prefault({}),
  reports: z.object({ paper: z.enum(['A4', 'Letter']).default('A4') }).prefault({}),
  /** The engine an experiment read-out uses when the analysis does not name one. */
  experiments: z.object({ engine: z.enum(['frequentist', 'bayesian']).default('frequentist') }).prefault({}),
  onboarding: z.object({ sampleOffered: z.boolean().default(false) }).prefault({}),
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
export const SettingsPatch = z.object({
  llm: patchOf(Settings.shape.llm.unwrap().shape).optional(),
  reports: patchOf(Settings.shape.reports.unwrap().shape).optional(),
  experiments: patchOf(Settings.shape.experiments.unwrap().shape).optional(),
  onboarding: patchOf(Settings.shape.onboarding.unwrap().shape).optional(),
  /** Write-only: the key is stored locally and never returned. Empty string clears it. */
  openaiApiKey: z.string().max(500).optional(),
}).strict();

export const SettingsView = Settings.extend({
  openaiApiKeySet: z.boolean(),
  dataDir: z.string(),
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
