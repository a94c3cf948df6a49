import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IafaError, LlmTask } from '../../shared/contract';
import { appPaths, dataPaths } from '../paths';
import type { ChatMessage } from './providers/types';

export interface PromptTemplate {
  id: LlmTask;
  /** Built-in: the front-matter version. Custom: that version plus a hash of the file, so a cached answer from an edited prompt is never reused. */
  version: string;
  builtinVersion: string;
  custom: boolean;
  path: string;
  system: string;
  user: string;
  retry: string;
}

function parse(id: LlmTask, file: string, text: string): Omit<PromptTemplate, 'custom' | 'builtinVersion'> {
  const fm = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!fm) throw new IafaError('validation', `Prompt ${file} has no front matter (--- id/version ---).`);
  const meta = Object.fromEntries(
    fm[1]
      .split('\n')
      .map((l) => l.split(':').map((s) => s.trim()))
      .filter((p) => p.length >= 2)
      .map(([k, ...v]) => [k, v.join(':')]),
  );
  const body = text.slice(fm[0].length);
  const sections: Record<string, string> = {};
  let current = '';
  for (const line of body.split('\n')) {
    const h = /^## (system|user|retry)\s*$/.exec(line);
    if (h) {
      current = h[1];
      sections[current] = '';
    } else if (current) sections[current] += `${line}\n`;
  }
  for (const s of ['system', 'user', 'retry']) {
    if (!sections[s]?.trim()) throw new IafaError('validation', `Prompt ${file} is missing its "## ${s}" section.`);
  }
  if (!sections.user.includes('{{data}}')) throw new IafaError('validation', `Prompt ${file}: the user section must contain {{data}}.`);
  return { id, version: String(meta.version ?? '0'), path: file, system: sections.system.trim(), user: sections.user.trim(), retry: sections.retry.trim() };
}

export function builtinPromptFile(id: LlmTask): string {
  return path.join(appPaths.prompts(), `${id}.md`);
}

export function customPromptFile(dataDir: string, id: LlmTask): string {
  return path.join(dataPaths(dataDir).prompts, `${id}.md`);
}

export function loadPrompt(dataDir: string, id: LlmTask): PromptTemplate {
  const builtinFile = builtinPromptFile(id);
  const builtin = parse(id, builtinFile, fs.readFileSync(builtinFile, 'utf8'));
  const customFile = customPromptFile(dataDir, id);
  if (!fs.existsSync(customFile)) return { ...builtin, builtinVersion: builtin.version, custom: false };
  const text = fs.readFileSync(customFile, 'utf8');
  const custom = parse(id, customFile, text);
  const hash = crypto.createHash('sha256').update(text).digest('hex').slice(0, 8);
  return { ...custom, version: `${custom.version}-custom-${hash}`, builtinVersion: builtin.version, custom: true };
}

export function listPrompts(dataDir: string): PromptTemplate[] {
  return LlmTask.options.map((id) => loadPrompt(dataDir, id));
}

/** Moves the override aside rather than deleting it: a user's edited prompt is their work. */
export function resetPrompt(dataDir: string, id: LlmTask): { reset: boolean; backup: string | null } {
  const file = customPromptFile(dataDir, id);
  if (!fs.existsSync(file)) return { reset: false, backup: null };
  const backup = `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
  fs.renameSync(file, backup);
  return { reset: true, backup };
}

export function renderMessages(t: PromptTemplate, dataBlock: string): ChatMessage[] {
  return [
    { role: 'system', content: t.system },
    { role: 'user', content: t.user.replace('{{data}}', () => dataBlock) },
  ];
}

export function renderRetry(t: PromptTemplate, first: ChatMessage[], previous: string, findings: string[]): ChatMessage[] {
  const list = findings.map((f) => `- ${f}`).join('\n');
  return [...first, { role: 'assistant', content: previous }, { role: 'user', content: t.retry.replace('{{findings}}', () => list) }];
}
