import { z } from 'zod';
import { call } from './call';

export const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  dataDir: z.string(),
  database: z.object({ path: z.string(), migrations: z.number().int() }),
  uptimeSeconds: z.number().nonnegative(),
});

export const ProviderStatus = z.object({
  name: z.string(),
  available: z.boolean(),
  /** Where a prompt sent to this provider goes: this device or a remote host. */
  destination: z.enum(['this-device', 'remote']),
  detail: z.string(),
  models: z.array(z.string()).default([]),
});
export type ProviderStatus = z.infer<typeof ProviderStatus>;

export const LlmStatus = z.object({
  configured: z.string(),
  active: z.string(),
  dataLeavesDevice: z.boolean(),
  banner: z.string().nullable(),
  providers: z.array(ProviderStatus),
});
export type LlmStatus = z.infer<typeof LlmStatus>;

export const healthGet = call({
  name: 'health:get',
  summary: 'Liveness, version, data folder and database state.',
  http: { method: 'GET', path: '/api/v1/health' },
  input: z.object({}).strict(),
  output: Health,
});

export const llmStatus = call({
  name: 'llm:status',
  summary: 'Which model provider is active, which are reachable, and where data goes.',
  http: { method: 'GET', path: '/api/v1/llm/status' },
  input: z.object({}).strict(),
  output: LlmStatus,
});

export const opsCancel = call({
  name: 'ops:cancel',
  summary: 'Cancel a running long call by the operation id the client gave it.',
  http: { method: 'POST', path: '/api/v1/ops/:opId/cancel' },
  input: z.object({ opId: z.string().min(1).max(100) }),
  output: z.object({ cancelled: z.boolean() }),
});
