import type { LlmOptions, ProviderName, Settings } from '../../shared/contract';
import { llmError } from './errors';
import { EmbeddedProvider } from './providers/embedded';
import { OllamaProvider, resolveOllamaHost } from './providers/ollama';
import { OpenAiProvider } from './providers/openai';
import type { LlmProvider } from './providers/types';
import type { IafaError } from '../../shared/contract';

export const NO_LOCAL_MODEL_BANNER = 'No local model found: install Ollama or pick a GGUF file; showing the computed analysis.';

/**
 * Loopback hosts keep prompts on this device; anything else is remote and needs opt-in. Only IP
 * literals and `localhost` count: the URL parser has already turned every spelling of an IPv4
 * address (127.1, 2130706433) into dotted form, so a name such as 127.0.0.1.nip.io stays a name,
 * and a name is remote whatever it resolves to today.
 */
export function isLocalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  const h = u.hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(h);
}

export interface ProviderEnv {
  env: NodeJS.ProcessEnv;
  openaiKey: string;
}

export function makeProvider(name: Exclude<ProviderName, 'auto' | 'none'>, settings: Settings, penv: ProviderEnv, model?: string): LlmProvider {
  const s = settings.llm;
  if (name === 'ollama') {
    const host = resolveOllamaHost(s.ollamaHost, penv.env);
    return new OllamaProvider(host, model || s.ollamaModel, !isLocalUrl(host));
  }
  if (name === 'embedded') return new EmbeddedProvider(model || s.embeddedModelPath, s.embeddedThreads);
  return new OpenAiProvider(s.openaiBaseUrl, model || s.openaiModel, penv.openaiKey, !isLocalUrl(s.openaiBaseUrl));
}

export function where(p: LlmProvider): string {
  if (p instanceof OllamaProvider) return p.host;
  if (p instanceof OpenAiProvider) return p.baseUrl;
  return 'this device';
}

export interface Chain {
  configured: ProviderName;
  /** Tried in order; the computed analysis follows the last. */
  providers: LlmProvider[];
  /** Providers refused before any request (remote not enabled), as errors for the banner. */
  refused: IafaError[];
}

export function resolveChain(settings: Settings, options: LlmOptions, penv: ProviderEnv): Chain {
  const configured = options.provider ?? settings.llm.provider;
  const names: Exclude<ProviderName, 'auto' | 'none'>[] = [];
  if (configured === 'auto') names.push('ollama');
  else if (configured !== 'none') names.push(configured);
  if (configured !== 'none') for (const f of settings.llm.fallback) if (!names.includes(f)) names.push(f);
  const providers: LlmProvider[] = [];
  const refused: IafaError[] = [];
  names.forEach((name, i) => {
    let p: LlmProvider;
    try {
      p = makeProvider(name, settings, penv, i === 0 ? options.model : undefined);
    } catch (err) {
      // A misconfigured provider (e.g. OLLAMA_HOST with another scheme) is skipped like one that is down.
      refused.push(err as IafaError);
      return;
    }
    // Data leaves the device only after an explicit opt-in; the check sits here, before any
    // provider exists, so no code path can send first and ask later.
    if (p.remote && !settings.llm.remoteEnabled) {
      refused.push(llmError(name, 'remote_disabled', `${name} would send data to ${where(p)}; remote providers are off until you enable them in Settings.`));
    } else providers.push(p);
  });
  return { configured, providers, refused };
}
