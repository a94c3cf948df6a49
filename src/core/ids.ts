import { randomBytes } from 'node:crypto';

/** Short, URL-safe, sortable-by-time ids with a readable prefix (ds_, fn_, gen_ ...). */
export function newId(prefix: string): string {
  const t = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${t}${randomBytes(6).toString('hex')}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
