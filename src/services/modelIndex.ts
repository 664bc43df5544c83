// Turns the repository index (one entry per model version) into one entry per model, and compares
// two model lists so only what changed is redrawn.
import type { RepositoryIndexEntry } from '../triton/types';
import type { ModelEntry, ModelStateName, VersionEntry } from './catalogTypes';

const knownStates = new Set(['READY', 'UNAVAILABLE', 'LOADING', 'UNLOADING', 'UNKNOWN']);

function stateOf(entry: RepositoryIndexEntry): ModelStateName {
  // Entries with just a name are models found in the repository but never loaded (or whose
  // config.pbtxt did not parse); they get their own state so the tree can say so.
  if (entry.state === undefined || entry.state === '') return 'NOT_LOADED';
  return knownStates.has(entry.state) ? (entry.state as ModelStateName) : 'UNKNOWN';
}

// Which version state speaks for the model when none is READY.
const precedence: Record<ModelStateName, number> = { READY: 6, LOADING: 5, UNLOADING: 4, UNAVAILABLE: 3, UNKNOWN: 2, NOT_LOADED: 1 };

/** Server reasons are shown in tooltips and rows; a hostile or chatty server cannot make them unbounded. */
export const maxReasonLength = 2_000;

function clip(reason: string | undefined): string | undefined {
  if (reason === undefined || reason === '') return undefined;
  return reason.length > maxReasonLength ? `${reason.slice(0, maxReasonLength)}…` : reason;
}

export function modelsFromIndex(entries: readonly RepositoryIndexEntry[]): Map<string, ModelEntry> {
  const byName = new Map<string, VersionEntry[]>();
  const bare = new Map<string, VersionEntry>();
  for (const e of entries) {
    if (typeof e.name !== 'string' || e.name === '') continue;
    const state = stateOf(e);
    const reason = clip(typeof e.reason === 'string' ? e.reason : undefined);
    const v: VersionEntry = { version: typeof e.version === 'string' ? e.version : '', state, ...(reason !== undefined ? { reason } : {}) };
    if (v.version === '') {
      bare.set(e.name, v);
      if (!byName.has(e.name)) byName.set(e.name, []);
    } else {
      const list = byName.get(e.name) ?? [];
      // One row per version even when a server lists a version twice; the state that speaks louder wins.
      const twin = list.findIndex((x) => x.version === v.version);
      if (twin < 0) list.push(v);
      else if (precedence[v.state] > precedence[list[twin]!.state]) list[twin] = v;
      byName.set(e.name, list);
    }
  }
  const names = [...byName.keys()].sort((a, b) => a.localeCompare(b));
  const out = new Map<string, ModelEntry>();
  for (const name of names) {
    const versions = byName.get(name)!.sort((a, b) => Number(b.version) - Number(a.version) || b.version.localeCompare(a.version));
    let lead: VersionEntry | undefined = bare.get(name);
    for (const v of versions) if (lead === undefined || precedence[v.state] > precedence[lead.state]) lead = v;
    const state = lead?.state ?? 'NOT_LOADED';
    out.set(name, { name, state, ...(lead?.reason !== undefined && state !== 'READY' ? { reason: lead.reason } : {}), versions });
  }
  return out;
}

export function sameModel(a: ModelEntry, b: ModelEntry): boolean {
  if (a.state !== b.state || a.reason !== b.reason || a.versions.length !== b.versions.length) return false;
  return a.versions.every((v, i) => {
    const w = b.versions[i]!;
    return v.version === w.version && v.state === w.state && v.reason === w.reason;
  });
}

export interface ModelListDiff {
  /** True when models were added or removed (the server's child list changes). */
  readonly membershipChanged: boolean;
  /** Models present in both lists whose state or versions changed. */
  readonly changed: readonly string[];
}

export function diffModels(before: ReadonlyMap<string, ModelEntry> | undefined, after: ReadonlyMap<string, ModelEntry>): ModelListDiff {
  if (before === undefined) return { membershipChanged: true, changed: [] };
  let membershipChanged = before.size !== after.size;
  const changed: string[] = [];
  for (const [name, entry] of after) {
    const old = before.get(name);
    if (old === undefined) membershipChanged = true;
    else if (!sameModel(old, entry)) changed.push(name);
  }
  return { membershipChanged, changed };
}
