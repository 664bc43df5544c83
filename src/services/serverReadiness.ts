// Why a live server is not ready. Triton's strict readiness (its default) keeps a server "not ready"
// while a model that it tried to load failed, so the usual cause is worth naming in the explorer.
import type { ServerState } from './catalogTypes';

/** Models whose load failed: UNAVAILABLE with a reason other than Triton's "unloaded". */
export function failedModels(state: ServerState): string[] {
  const out: string[] = [];
  for (const m of state.models?.values() ?? []) {
    if (m.state === 'UNAVAILABLE' && m.reason !== undefined && m.reason.trim() !== '' && m.reason.trim() !== 'unloaded') out.push(m.name);
  }
  return out;
}

/** The health words for display: "ready", "live, not ready (a model failed to load: x)", "unreachable"… */
export function healthWords(state: ServerState): string {
  const h = state.health;
  if (h.state === 'unknown') return 'connecting';
  if (h.state !== 'live') return h.state;
  const failed = failedModels(state);
  if (failed.length === 0) return 'live, not ready';
  const names = failed.length <= 3 ? failed.join(', ') : `${failed.slice(0, 3).join(', ')} and ${failed.length - 3} more`;
  return `live, not ready (${failed.length === 1 ? 'a model failed' : `${failed.length} models failed`} to load: ${names})`;
}
