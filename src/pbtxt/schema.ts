// The config.pbtxt schema, read from proto/model_config.proto through protobufjs (loaded once, cached).
import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import { protoDir } from '../util/protoDir';

export type ScalarType =
  | 'double' | 'float' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'sint32' | 'sint64'
  | 'fixed32' | 'fixed64' | 'sfixed32' | 'sfixed64' | 'bool' | 'string' | 'bytes';

export interface EnumType {
  fullName: string;
  name: string;
  values: Map<string, number>;
  names: Map<number, string>;
  comments: Map<string, string | undefined>;
  comment: string | undefined;
}

export type FieldType =
  | { kind: 'scalar'; scalar: ScalarType }
  | { kind: 'enum'; enumType: EnumType }
  | { kind: 'message'; messageType: MessageType };

export interface FieldInfo {
  name: string;
  number: number;
  repeated: boolean;
  /** Map fields are repeated messages of a synthesized `<Name>Entry` type with `key` and `value`. */
  map: boolean;
  type: FieldType;
  oneof: string | undefined;
  comment: string | undefined;
  /** Short type label for messages and hovers, e.g. `int64`, `DataType`, `map<string, string>`. */
  typeLabel: string;
}

export interface MessageType {
  fullName: string;
  name: string;
  /** In declaration order. */
  fields: Map<string, FieldInfo>;
  oneofs: Map<string, string[]>;
  comment: string | undefined;
  isMapEntry: boolean;
}

export interface Schema {
  /** `inference.ModelConfig`. */
  root: MessageType;
  messages: Map<string, MessageType>;
  enums: Map<string, EnumType>;
}

let cached: Schema | undefined;

/** Loads the schema from proto/model_config.proto once; later calls return the same object. */
export function loadSchema(): Schema {
  cached ??= loadSchemaFrom(join(protoDir(), 'model_config.proto'));
  return cached;
}

export function loadSchemaFrom(protoFile: string): Schema {
  const root = new protobuf.Root().loadSync(protoFile, { keepCase: true, alternateCommentMode: true });
  root.resolveAll();
  const config = root.lookupType('inference.ModelConfig');
  return buildSchema(config);
}

function cleanComment(c: string | null | undefined): string | undefined {
  if (c === null || c === undefined) return undefined;
  const t = c.trim();
  return t === '' ? undefined : t;
}

function buildSchema(rootType: protobuf.Type): Schema {
  const messages = new Map<string, MessageType>();
  const enums = new Map<string, EnumType>();

  const enumOf = (e: protobuf.Enum): EnumType => {
    const fullName = e.fullName.replace(/^\./, '');
    let out = enums.get(fullName);
    if (out !== undefined) return out;
    const values = new Map<string, number>();
    const names = new Map<number, string>();
    const comments = new Map<string, string | undefined>();
    for (const [k, v] of Object.entries(e.values)) {
      values.set(k, v);
      if (!names.has(v)) names.set(v, k);
      comments.set(k, cleanComment(e.comments[k]));
    }
    out = { fullName, name: e.name, values, names, comments, comment: cleanComment(e.comment) };
    enums.set(fullName, out);
    return out;
  };

  const messageOf = (t: protobuf.Type): MessageType => {
    const fullName = t.fullName.replace(/^\./, '');
    const existing = messages.get(fullName);
    if (existing !== undefined) return existing;
    const out: MessageType = { fullName, name: t.name, fields: new Map(), oneofs: new Map(), comment: cleanComment(t.comment), isMapEntry: false };
    messages.set(fullName, out);
    for (const o of t.oneofsArray) out.oneofs.set(o.name, o.fieldsArray.map((f) => f.name));
    for (const f of t.fieldsArray) {
      const r = f.resolve();
      const valueType = typeOf(r.resolvedType, r.type);
      const base = { name: r.name, number: r.id, oneof: r.partOf?.name, comment: cleanComment(r.comment) };
      if (r instanceof protobuf.MapField) {
        const entry: MessageType = {
          fullName: `${fullName}.${pascal(r.name)}Entry`, name: `${pascal(r.name)}Entry`, fields: new Map(), oneofs: new Map(),
          comment: undefined, isMapEntry: true,
        };
        const keyType: FieldType = { kind: 'scalar', scalar: r.keyType as ScalarType };
        entry.fields.set('key', { name: 'key', number: 1, repeated: false, map: false, type: keyType, oneof: undefined, comment: 'Map key.', typeLabel: r.keyType });
        entry.fields.set('value', { name: 'value', number: 2, repeated: false, map: false, type: valueType, oneof: undefined, comment: 'Map value.', typeLabel: labelOf(valueType) });
        messages.set(entry.fullName, entry);
        out.fields.set(r.name, { ...base, repeated: true, map: true, type: { kind: 'message', messageType: entry }, typeLabel: `map<${r.keyType}, ${labelOf(valueType)}>` });
      } else {
        out.fields.set(r.name, { ...base, repeated: r.repeated, map: false, type: valueType, typeLabel: labelOf(valueType) });
      }
    }
    return out;
  };

  const typeOf = (resolved: protobuf.Type | protobuf.Enum | null, scalar: string): FieldType => {
    if (resolved instanceof protobuf.Type) return { kind: 'message', messageType: messageOf(resolved) };
    if (resolved instanceof protobuf.Enum) return { kind: 'enum', enumType: enumOf(resolved) };
    return { kind: 'scalar', scalar: scalar as ScalarType };
  };

  const root = messageOf(rootType);
  return { root, messages, enums };
}

function labelOf(t: FieldType): string {
  if (t.kind === 'scalar') return t.scalar;
  if (t.kind === 'enum') return t.enumType.name;
  return t.messageType.name;
}

function pascal(snake: string): string {
  return snake.split('_').map((p) => (p === '' ? '' : p[0].toUpperCase() + p.slice(1))).join('');
}

/** Fully qualified names of the messages reachable from `root`, for lookups by short name. */
export function findMessage(schema: Schema, name: string): MessageType | undefined {
  const direct = schema.messages.get(name) ?? schema.messages.get(`inference.${name}`);
  if (direct !== undefined) return direct;
  for (const m of schema.messages.values()) if (m.name === name) return m;
  return undefined;
}
