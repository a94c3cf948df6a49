import type { LlmStatus, ProviderStatus, Settings } from '../../shared/contract';
import { NO_LOCAL_MODEL_BANNER, isLocalUrl, makeProvider, where } from './resolve';

export { isLocalUrl } from './resolve';

/** Which providers answer now and where a prompt would go; the configured one decides "active". */
export async function llmStatus(
  settings: Settings,
  opts: { env?: NodeJS.ProcessEnv; openaiKeySet: boolean; openaiKey?: string; timeoutMs?: number },
): Promise<LlmStatus> {
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 1500);
  const penv = { env: opts.env ?? process.env, openaiKey: opts.openaiKey ?? '' };
  let ollama: ProviderStatus;
  try {
    const ollamaP = makeProvider('ollama', settings, penv);
    const oh = await ollamaP.health(signal);
    // The server answering is what "running" means here; a missing model is reported in the detail.
    const ollamaUp = oh.available || oh.models.length > 0 || /but has no model/.test(oh.detail);
    ollama = { name: 'ollama', available: ollamaUp, destination: ollamaP.remote ? 'remote' : 'this-device', detail: oh.detail, models: oh.models };
  } catch (err) {
    ollama = { name: 'ollama', available: false, destination: 'remote', detail: (err as Error).message, models: [] };
  }
  const embP = makeProvider('embedded', settings, penv);
  const eh = await embP.health(signal);
  const embedded: ProviderStatus = { name: 'embedded', available: eh.available, destination: 'this-device', detail: eh.detail, models: eh.models };
  const openaiRemote = !isLocalUrl(settings.llm.openaiBaseUrl);
  const openai: ProviderStatus = {
    name: 'openai',
    available: (opts.openaiKeySet || !openaiRemote) && (settings.llm.remoteEnabled || !openaiRemote),
    destination: openaiRemote ? 'remote' : 'this-device',
    detail:
      openaiRemote && !settings.llm.remoteEnabled
        ? 'Off: remote providers are disabled until you enable them.'
        : openaiRemote && !opts.openaiKeySet
          ? 'No API key set.'
          : `OpenAI-compatible API at ${where(makeProvider('openai', settings, penv))}`,
    models: [settings.llm.openaiModel],
  };
  const none: ProviderStatus = {
    name: 'none',
    available: true,
    destination: 'this-device',
    detail: 'Deterministic analyst: computed analysis, no model.',
    models: [],
  };
  const configured = settings.llm.provider;
  let active: string = configured;
  if (configured === 'auto') active = ollama.available ? 'ollama' : 'none';
  const activeStatus = [ollama, embedded, openai, none].find((p) => p.name === active);
  const banner = active === 'none' && configured === 'auto' ? NO_LOCAL_MODEL_BANNER : activeStatus && !activeStatus.available ? activeStatus.detail : null;
  return {
    configured,
    active,
    dataLeavesDevice: activeStatus?.destination === 'remote' && activeStatus.available,
    banner,
    providers: [ollama, embedded, openai, none],
  };
}
