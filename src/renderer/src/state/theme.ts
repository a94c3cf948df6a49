import { useSyncExternalStore } from 'react';

/**
 * Light, dark, or whatever the system prefers (prefers-color-scheme), chosen in Settings and kept
 * in localStorage. The resolved theme is set on <html data-theme>, which the stylesheets read.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'iafa.theme';
const listeners = new Set<() => void>();
const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

export function getTheme(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export function resolvedTheme(choice: ThemeChoice = getTheme()): 'light' | 'dark' {
  return choice === 'system' ? (media?.matches ? 'dark' : 'light') : choice;
}

function apply(): void {
  const t = resolvedTheme();
  document.documentElement.dataset.theme = t;
  document.documentElement.style.colorScheme = t;
}

export function setTheme(choice: ThemeChoice): void {
  if (choice === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  apply();
  listeners.forEach((l) => l());
}

/** Applies the stored choice now and follows the system setting while "system" is chosen. */
export function initTheme(): void {
  apply();
  media?.addEventListener('change', () => {
    apply();
    listeners.forEach((l) => l());
  });
}

export function useTheme(): ThemeChoice {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, getTheme);
}
