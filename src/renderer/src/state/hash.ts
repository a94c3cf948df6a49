import { useSyncExternalStore } from 'react';

/** A query parameter of the hash route (`#/dashboard?fact=…`), updated on every hash change. */
export function useHashParam(name: string): string | null {
  return useSyncExternalStore(
    (l) => {
      window.addEventListener('hashchange', l);
      return () => window.removeEventListener('hashchange', l);
    },
    () => hashParam(name),
  );
}

export function hashParam(name: string): string | null {
  const q = window.location.hash.indexOf('?');
  return q < 0 ? null : new URLSearchParams(window.location.hash.slice(q + 1)).get(name);
}
