import type { LlmStatus, ProviderStatus, Settings } from '../../shared/contract';

export function ollamaHost(settings: Settings, env: NodeJS.ProcessEnv = process.env): string {
  const raw = settings.llm.ollamaHost || env.OLLAMA_HOST || 'http://127.0.0.1:11434';
  return /^https?:\/\//.test(raw) ? raw.replace(/\/+$/, '') : `http://${raw.replace(/\/+$/, '')}`;
}

/** Loopback hosts keep prompts on this device; anything else is remote and needs opt-in. */
export function isLocalUrl(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\./.test(h);
  } catch {
    return false;
  }
}

async function probeOllama(host: string, signal: AbortSignal): Promise<ProviderStatus> {
  const destination = isLocalUrl(host) ? 'this-device' : 'remote';
  try {
    const res = await fetch(`${host}/api/tags`, { signal });
    if (!res.ok) return { name: 'ollama', available: false, destination, detail: `Ollama at ${host} answered HTTP ${res.status}.`, models: [] };
    const body = (await res.json()) as { models?: { name: string }[] };
    const models = (body.models ?? []).map((m) => m.name);
    return { name: 'ollama', available: true, destination, detail: `Ollama is running at ${host} (${models.length} model${models.length === 1 ? '' : 's'}).`, models };
  } catch {
    return { name: 'ollama', available: false, destination, detail: `Ollama is not running at ${host}; start it or choose another provider.`, models: [] };
  }
}

/**
 * Foundation-level status: which providers answer and where data would go. The LLM layer
 * (src/core/llm providers) replaces the probe details but keeps this shape.
 */
export async function llmStatus(settings: Settings, opts: { env?: NodeJS.ProcessEnv; openaiKeySet: boolean; timeoutMs?: number }): Promise<LlmStatus> {
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 1500);
  const host = ollamaHost(settings, opts.env);
  const ollama = await probeOllama(host, signal);
  const embeddedPath = settings.llm.embeddedModelPath;
  const embedded: ProviderStatus = {
    name: 'embedded', available: embeddedPath !== '', destination: 'this-device',
    detail: embeddedPath ? `GGUF model ${embeddedPath}` : 'No GGUF model file chosen.', models: embeddedPath ? [embeddedPath] : [],
  };
  const openaiRemote = !isLocalUrl(settings.llm.openaiBaseUrl);
  const openai: ProviderStatus = {
    name: 'openai', available: opts.openaiKeySet && (settings.llm.remoteEnabled || !openaiRemote),
    destination: openaiRemote ? 'remote' : 'this-device',
    detail: openaiRemote && !settings.llm.remoteEnabled ? 'Off: remote providers are disabled until you enable them.' : `OpenAI-compatible API at ${settings.llm.openaiBaseUrl}`,
    models: [settings.llm.openaiModel],
  };
  const none: ProviderStatus = { name: 'none', available: true, destination: 'this-device', detail: 'Deterministic analyst: computed analysis, no model.', models: [] };
  const configured = settings.llm.provider;
  let active: string = configured;
  if (configured === 'auto') active = ollama.available ? 'ollama' : 'none';
  const activeStatus = [ollama, embedded, openai, none].find((p) => p.name === active);
  const banner = active === 'none' && configured === 'auto'
    ? 'No local model found: install Ollama or pick a GGUF file; showing the computed analysis.'
    : activeStatus && !activeStatus.available ? `${activeStatus.detail}` : null;
  return {
    configured, active,
    dataLeavesDevice: activeStatus?.destination === 'remote' && activeStatus.available,
    banner,
    providers: [ollama, embedded, openai, none],
  };
}
