import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

/**
 * The server only ever answers to its own address. Checking Host defeats DNS rebinding (a page
 * on evil.example re-pointed at 127.0.0.1 still sends Host: evil.example); checking Origin stops
 * other pages in the user's browser from calling the API even with a guessed port.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([host, '127.0.0.1', 'localhost']);
  return new Set([...names].map((h) => `${h}:${port}`));
}

export function checkOrigin(req: IncomingMessage, hosts: Set<string>): string | null {
  const host = req.headers.host;
  if (!host || !hosts.has(host.toLowerCase())) return `Host "${host ?? ''}" is not this server.`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let h: string;
    try {
      const u = new URL(origin);
      h = u.host.toLowerCase();
      if (u.protocol !== 'http:') return `Origin "${origin}" is not this server.`;
    } catch {
      return `Origin "${origin}" is not this server.`;
    }
    if (!hosts.has(h)) return `Origin "${origin}" is not this server.`;
  } else if (origin === 'null') {
    return 'Requests from opaque origins are refused.';
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'Cross-site requests are refused.';
  return null;
}

/**
 * The token travels in the Authorization header. Only a route that a plain link must reach (a
 * report download) passes `queryToken`: a token in a URL ends up in history and logs.
 */
export function tokenMatches(req: IncomingMessage, token: string, queryToken: string | null): boolean {
  const auth = req.headers.authorization;
  const given = auth?.startsWith('Bearer ') ? auth.slice(7) : (queryToken ?? '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
