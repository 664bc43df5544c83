// A server's effective config and a workspace config.pbtxt, made comparable: the workspace side is
// completed the way Triton completes a config at load (what it fills in, or what it took from the
// model files or the machine, is taken from the server), then both are written with every proto3
// default left out (the schema from proto/model_config.proto says what a default is). What still
// differs after that is a real difference.
import { configJsonToPbtxt } from '../pbtxt/fromJson';
import type { MessageType, Schema } from '../pbtxt/schema';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface NormalizedPair {
  readonly server: string;
  readonly workspace: string;
}

function isObject(v: Json | undefined): v is JsonObject {
  return v !== undefined && v !== null && typeof v === 'object' && !Array.isArray(v);
}

function toSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A deep copy with field names as model_config.proto spells them and map keys sorted. */
function canonical(obj: JsonObject, type: MessageType): JsonObject {
  const out: JsonObject = {};
  for (const [rawKey, value] of Object.entries(obj)) {
    const info = type.fields.get(rawKey) ?? type.fields.get(toSnake(rawKey));
    if (info === undefined || info.type.kind !== 'message') {
      out[info?.name ?? rawKey] = structuredClone(value);
      continue;
    }
    const inner = info.type.messageType;
    if (info.map && isObject(value)) {
      const valueInfo = inner.fields.get('value');
      const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      out[info.name] = Object.fromEntries(entries.map(([k, v]) => [k, valueInfo?.type.kind === 'message' && isObject(v) ? canonical(v, valueInfo.type.messageType) : structuredClone(v)]));
    } else if (info.repeated && Array.isArray(value)) {
      out[info.name] = value.map((v) => (isObject(v) ? canonical(v, inner) : structuredClone(v)));
    } else out[info.name] = isObject(value) ? canonical(value, inner) : structuredClone(value);
  }
  return out;
}

/** Unset in proto3 terms: absent, null, zero, empty string, false, an empty list, or the first enum value. */
function unset(v: Json | undefined, zeroEnum?: string): boolean {
  return v === undefined || v === null || v === 0 || v === '0' || v === '' || v === false || (Array.isArray(v) && v.length === 0) || (zeroEnum !== undefined && v === zeroEnum);
}

function num(v: Json | undefined): number {
  return typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : 0;
}

/** Fills `w` (the workspace config) with what Triton fills in at load; `s` is the server's effective config. */
function complete(w: JsonObject, s: JsonObject, model: string): void {
  if (unset(w.name)) w.name = model;
  // Taken from the model files by auto-complete, or by the backend from the model itself.
  for (const key of ['platform', 'backend', 'default_model_filename', 'max_batch_size'] as const) {
    if (unset(w[key]) && !unset(s[key])) w[key] = s[key]!;
  }
  for (const key of ['input', 'output'] as const) completeTensors(w, s, key);
  if (w.version_policy === undefined) w.version_policy = { latest: { num_versions: 1 } };
  const maxBatch = num(w.max_batch_size);
  const hasScheduler = w.dynamic_batching !== undefined || w.sequence_batching !== undefined || w.ensemble_scheduling !== undefined;
  // A backend that auto-completes max_batch_size > 1 also turns dynamic batching on.
  if (!hasScheduler && isObject(s.dynamic_batching)) w.dynamic_batching = structuredClone(s.dynamic_batching);
  if (isObject(w.dynamic_batching) && unset(w.dynamic_batching.preferred_batch_size) && maxBatch > 0) w.dynamic_batching.preferred_batch_size = [maxBatch];
  if (isObject(w.sequence_batching)) {
    const seq = w.sequence_batching;
    if (unset(seq.max_sequence_idle_microseconds)) seq.max_sequence_idle_microseconds = 1_000_000;
    if (isObject(seq.oldest) && unset(seq.oldest.preferred_batch_size) && maxBatch > 0) seq.oldest.preferred_batch_size = [maxBatch];
  }
  if (w.platform === 'ensemble') return;
  const optimization = isObject(w.optimization) ? w.optimization : (w.optimization = {});
  for (const key of ['input_pinned_memory', 'output_pinned_memory']) {
    if (optimization[key] === undefined) optimization[key] = { enable: true };
  }
  completeInstanceGroups(w, s, model);
}

function completeTensors(w: JsonObject, s: JsonObject, key: 'input' | 'output'): void {
  const served = Array.isArray(s[key]) ? (s[key] as Json[]).filter(isObject) : [];
  if (unset(w[key])) {
    if (served.length > 0) w[key] = structuredClone(served);
    return;
  }
  if (!Array.isArray(w[key])) return;
  for (const tensor of (w[key] as Json[]).filter(isObject)) {
    const twin = served.find((t) => t.name === tensor.name);
    if (twin === undefined) continue;
    if (unset(tensor.data_type, 'TYPE_INVALID') && !unset(twin.data_type, 'TYPE_INVALID')) tensor.data_type = twin.data_type!;
    if (unset(tensor.dims) && !unset(twin.dims)) tensor.dims = structuredClone(twin.dims!);
  }
}

/** Group names, kinds, counts and GPUs depend on the machine and the backend: the server's say. */
function completeInstanceGroups(w: JsonObject, s: JsonObject, model: string): void {
  const served = Array.isArray(s.instance_group) ? (s.instance_group as Json[]).filter(isObject) : [];
  if (unset(w.instance_group)) {
    if (served.length > 0) w.instance_group = structuredClone(served);
    return;
  }
  if (!Array.isArray(w.instance_group)) return;
  w.instance_group.forEach((group, i) => {
    if (!isObject(group)) return;
    const twin = served[i];
    // Triton names an unnamed group `<model>_<index>`; the server's own answer wins where it has one.
    if (unset(group.name)) group.name = twin !== undefined && !unset(twin.name) ? twin.name! : `${model}_${i}`;
    if (twin === undefined) return;
    if (unset(group.kind, 'KIND_AUTO') && !unset(twin.kind)) group.kind = twin.kind!;
    if (num(group.count) < 1 && !unset(twin.count)) group.count = twin.count!;
    if (unset(group.gpus) && !unset(twin.gpus)) group.gpus = structuredClone(twin.gpus!);
    if (unset(group.host_policy) && !unset(twin.host_policy)) group.host_policy = twin.host_policy!;
  });
}

/** Whether a message holds nothing but defaults (then writing it says no more than leaving it out). */
function allDefault(v: Json, type: MessageType): boolean {
  if (!isObject(v)) return false;
  return Object.entries(v).every(([key, value]) => {
    const info = type.fields.get(key);
    if (info === undefined) return false;
    if (info.type.kind === 'message' && !info.repeated && !info.map) return value === null || allDefault(value, info.type.messageType);
    return unset(value, info.type.kind === 'enum' ? info.type.enumType.names.get(0) : undefined) || (isObject(value) && Object.keys(value).length === 0);
  });
}

/**
 * Leaves out of `s` the messages the workspace side does not have and that hold only defaults
 * (the server prints some it never needed, e.g. `model_transaction_policy { decoupled: false }`).
 * An empty message that is there on both sides stays: for schedulers its presence is the setting.
 */
function pruneAgainst(s: JsonObject, w: JsonObject, type: MessageType): void {
  for (const [key, value] of Object.entries(s)) {
    const info = type.fields.get(key);
    if (info === undefined || info.type.kind !== 'message' || info.repeated || info.map) continue;
    if (w[key] === undefined && allDefault(value, info.type.messageType)) delete s[key];
    else if (isObject(value) && isObject(w[key])) pruneAgainst(value, w[key], info.type.messageType);
  }
}

/**
 * The normalised pair for a diff: `server` is the effective config (`GET .../config`), `workspace`
 * the workspace config.pbtxt as JSON (configOverride's pbtxtToConfigJson), `model` the model's name.
 */
export function normalizeConfigPair(server: Record<string, unknown>, workspace: Record<string, unknown>, model: string, schema: Schema): NormalizedPair {
  const s = canonical(server as JsonObject, schema.root);
  const w = canonical(workspace as JsonObject, schema.root);
  complete(w, s, model);
  pruneAgainst(s, w, schema.root);
  const render = (c: JsonObject): string => configJsonToPbtxt(c, schema, { omitDefaults: true });
  return { server: render(s), workspace: render(w) };
}
