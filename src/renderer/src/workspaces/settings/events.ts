/**
 * Settings changes that alter where prompts go are announced on window, so the always-visible
 * privacy indicator re-reads the status at once instead of showing a stale "stays on this device".
 */
export const LLM_CHANGED = 'iafa:llm-changed';

export function announceLlmChange(): void {
  window.dispatchEvent(new Event(LLM_CHANGED));
}
