// Turns a gRPC ModelConfig message into the JSON shape Triton's HTTP /config endpoint returns.
import * as protobuf from 'protobufjs';
import type { ModelConfigJson } from '../types';

/**
 * The 64-bit fields that Triton's HTTP endpoint prints as JSON numbers; every other 64-bit field
 * stays a string, exactly as protobuf-JSON writes it. `[]` walks array items, `*` map values.
 */
const NUMERIC_INT64_PATHS: readonly (readonly string[])[] = [
  ['input', '[]', 'dims'],
  ['input', '[]', 'reshape', 'shape'],
  ['output', '[]', 'dims'],
  ['output', '[]', 'reshape', 'shape'],
  ['version_policy', 'specific', 'versions'],
  ['dynamic_batching', 'max_queue_delay_microseconds'],
  ['dynamic_batching', 'priority_levels'],
  ['dynamic_batching', 'default_priority_level'],
  ['dynamic_batching', 'default_queue_policy', 'default_timeout_microseconds'],
  ['dynamic_batching', 'priority_queue_policy', '*', 'default_timeout_microseconds'],
  ['sequence_batching', 'max_sequence_idle_microseconds'],
  ['sequence_batching', 'direct', 'max_queue_delay_microseconds'],
  ['sequence_batching', 'oldest', 'max_queue_delay_microseconds'],
  ['sequence_batching', 'state', '[]', 'dims'],
  ['sequence_batching', 'state', '[]', 'initial_state', '[]', 'dims'],
  ['ensemble_scheduling', 'step', '[]', 'model_version'],
  ['model_warmup', '[]', 'inputs', '*', 'dims'],
];

const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: String, defaults: true };

/**
 * snake_case names, every scalar present with its default, enums by name, unset sub-messages left
 * out, and the int64 fields listed above as numbers; the same object HTTP gives for the model.
 */
export function modelConfigToJson(type: protobuf.Type, message: protobuf.Message): ModelConfigJson {
  const obj = inDeclarationOrder(type, dropNulls(type.toObject(message, TO_OBJECT))) as ModelConfigJson;
  for (const path of NUMERIC_INT64_PATHS) convertAt(obj, path, 0);
  const batching = obj.dynamic_batching as Record<string, unknown> | undefined;
  if (batching?.priority_queue_policy) batching.priority_queue_policy = decimalKeys(batching.priority_queue_policy as Record<string, unknown>);
  return obj;
}

/**
 * protobufjs puts repeated and map fields first; Triton's JSON follows the .proto declaration order,
 * and so does this, at every depth.
 */
function inDeclarationOrder(type: protobuf.Type, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (!Object.hasOwn(obj, field.name)) continue;
    const v = obj[field.name];
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (sub === undefined) out[field.name] = v;
    else if (field.map) out[field.name] = mapValues(v, (item) => inDeclarationOrder(sub, item));
    else if (Array.isArray(v)) out[field.name] = v.map((item) => inDeclarationOrder(sub, item));
    else out[field.name] = inDeclarationOrder(sub, v);
  }
  for (const [k, v] of Object.entries(obj)) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

function mapValues(value: unknown, f: (v: unknown) => unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, f(v)]));
}

/**
 * protobufjs keys decoded map<uint64, ...> entries by an 8-character binary hash of the value
 * rather than its decimal text; JSON (and Triton) use the decimal text.
 */
function decimalKeys(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) {
    if (/^\d+$/.test(key) || key.length !== 8) {
      out[key] = value;
      continue;
    }
    const bits = protobuf.util.LongBits.fromHash(key);
    out[((BigInt(bits.hi >>> 0) << 32n) | BigInt(bits.lo >>> 0)).toString()] = value;
  }
  return out;
}

// protobufjs writes `null` for unset message fields when asked for defaults; Triton omits them.
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && v !== undefined) out[k] = dropNulls(v);
  }
  return out;
}

function convertAt(node: unknown, path: readonly string[], i: number): void {
  if (node === null || typeof node !== 'object') return;
  const step = path[i];
  if (step === undefined) return;
  const last = i === path.length - 1;
  if (step === '[]' || step === '*') {
    const items = Array.isArray(node) ? node : Object.values(node);
    for (const item of items) convertAt(item, path, i + 1);
    return;
  }
  const record = node as Record<string, unknown>;
  const value = record[step];
  if (!last) {
    convertAt(value, path, i + 1);
    return;
  }
  if (Array.isArray(value)) record[step] = value.map(toNumber);
  else if (value !== undefined) record[step] = toNumber(value);
}

function toNumber(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
}
