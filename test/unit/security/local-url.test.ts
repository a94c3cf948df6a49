import { describe, expect, it } from 'vitest';
import { isLocalUrl } from '../../../src/core/llm';
import { resolveOllamaHost } from '../../../src/core/llm/providers/ollama';
import { tempEngine } from '../../helpers/engine';

describe('isLocalUrl: only loopback literals and localhost keep data on this device', () => {
  it.each([
    'http://127.0.0.1:11434',
    'http://127.5.6.7',
    'http://localhost:11434',
    'http://[::1]:11434',
    'https://localhost/v1',
    'http://[::ffff:127.0.0.1]:8080',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://127.1:11434',
  ])('%s is local', (u) => expect(isLocalUrl(u)).toBe(true));

  it.each([
    'http://127.attacker.example:11434',
    'http://127.0.0.1.nip.io',
    'http://localhost.attacker.example',
    'http://10.0.0.5:11434',
    'http://[::ffff:10.0.0.1]/',
    'http://0.0.0.0:11434',
    'https://api.openai.com/v1',
    'file:///etc/passwd',
    'not a url',
    'ftp://127.0.0.1/',
  ])('%s is remote', (u) => expect(isLocalUrl(u)).toBe(false));
});

describe('where data goes, as Settings and the sidebar show it', () => {
  it('a host name that looks like loopback is remote, and the remote opt-in applies to it', async () => {
    const env = tempEngine();
    try {
      await env.engine.dispatch('settings:update', { llm: { provider: 'ollama', ollamaHost: 'http://127.0.0.1.nip.io:11434' } });
      const status = await env.engine.dispatch('llm:status', {});
      expect(status.providers.find((p) => p.name === 'ollama')?.destination).toBe('remote');
      const out = await env.engine.dispatch('llm:narrate', {
        task: 'insights',
        facts: { facts: [], generated_at: '2026-01-01T00:00:00Z' },
        deterministic: { summary: 's', insights: [], recommendations: [] },
        scope: { funnel_id: 'fn_x' },
        options: { provider: 'ollama' },
      });
      expect(out.generation).toMatchObject({ provider: 'none', data_left_device: false });
      expect(out.generation.banner).toMatch(/remote providers are off/);
    } finally {
      env.cleanup();
    }
  });
});

describe('model base URLs are http(s) only', () => {
  it('Settings refuse other schemes for ollamaHost and openaiBaseUrl (400) and keep what was stored', async () => {
    const env = tempEngine();
    try {
      await env.engine.dispatch('settings:update', { llm: { ollamaHost: 'http://127.0.0.1:11500', openaiBaseUrl: 'http://localhost:8080/v1' } });
      for (const llm of [
        { ollamaHost: 'file:///etc/passwd' },
        { ollamaHost: 'javascript:alert(1)' },
        { openaiBaseUrl: 'file:///etc/passwd' },
        { openaiBaseUrl: 'gopher://x' },
      ]) {
        await expect(env.engine.dispatch('settings:update', { llm }), JSON.stringify(llm)).rejects.toMatchObject({ kind: 'validation' });
      }
      const s = await env.engine.dispatch('settings:get', {});
      expect(s.llm).toMatchObject({ ollamaHost: 'http://127.0.0.1:11500', openaiBaseUrl: 'http://localhost:8080/v1' });
      // Empty means "the default / OLLAMA_HOST".
      await env.engine.dispatch('settings:update', { llm: { ollamaHost: '' } });
    } finally {
      env.cleanup();
    }
  });

  it("OLLAMA_HOST may be host:port (Ollama's own convention) but not another scheme", () => {
    expect(resolveOllamaHost('', { OLLAMA_HOST: '127.0.0.1:11434' })).toBe('http://127.0.0.1:11434');
    expect(() => resolveOllamaHost('', { OLLAMA_HOST: 'file:///etc/passwd' })).toThrow(/http/);
  });
});

describe('a stored model host from an older version', () => {
  it('that is no longer accepted falls back alone; the other settings stay', async () => {
    const env = tempEngine();
    try {
      env.engine.app.db.$client
        .prepare("INSERT INTO settings (key, value_json, updated_at) VALUES ('app', ?, '2026-01-01')")
        .run(JSON.stringify({ llm: { ollamaHost: 'file:///etc/passwd', timeoutMs: 30000, provider: 'none' } }));
      const s = await env.engine.dispatch('settings:get', {});
      expect(s.llm).toMatchObject({ ollamaHost: '', timeoutMs: 30000, provider: 'none' });
    } finally {
      env.cleanup();
    }
  });
});
