// Answers "which message type and field are at this offset / this path" over a parsed document.
import type { FieldNode, MessageNode, ParsedDocument } from './ast';
import { endOf, startOf } from './parser';
import type { FieldInfo, MessageType, Schema } from './schema';

export interface Location {
  /** Innermost message body holding the offset (the root when none is deeper). */
  message: MessageNode;
  /** Its schema type; undefined below an unknown field or a scalar-typed field. */
  messageType: MessageType | undefined;
  /** The field whose name or value holds the offset, if any. */
  field: FieldNode | undefined;
  fieldInfo: FieldInfo | undefined;
  /** True when the offset is on the field's name. */
  onName: boolean;
  /** Field names from the root down to `message`, e.g. `['input', 'reshape']`. */
  path: string[];
}

function inside(body: MessageNode, offset: number): boolean {
  return offset > startOf(body.range) && (offset < endOf(body.range) || !body.closed);
}

export function locate(doc: ParsedDocument, schema: Schema, offset: number): Location {
  let message = doc.root;
  let messageType: MessageType | undefined = schema.root;
  const path: string[] = [];
  for (;;) {
    let field: FieldNode | undefined;
    for (const f of message.fields) {
      if (startOf(f.range) > offset) break;
      const end = f.value?.kind === 'message' && !f.value.closed ? Number.MAX_SAFE_INTEGER : endOf(f.range);
      if (offset <= end) field = f;
    }
    if (field === undefined) return { message, messageType, field: undefined, fieldInfo: undefined, onName: false, path };
    const info = messageType?.fields.get(field.name);
    const onName = offset >= startOf(field.nameRange) && offset <= endOf(field.nameRange);
    let body: MessageNode | undefined;
    const v = field.value;
    if (v?.kind === 'message' && inside(v, offset)) body = v;
    else if (v?.kind === 'list') {
      for (const item of v.items) if (item.kind === 'message' && inside(item, offset)) body = item;
    }
    if (body === undefined || onName) return { message, messageType, field, fieldInfo: info, onName, path };
    message = body;
    messageType = info?.type.kind === 'message' ? info.type.messageType : undefined;
    path.push(field.name);
  }
}

/** The message type reached by following field names from `inference.ModelConfig`. */
export function messageTypeAtPath(schema: Schema, path: readonly string[]): MessageType | undefined {
  let t: MessageType | undefined = schema.root;
  for (const name of path) {
    const f: FieldInfo | undefined = t?.fields.get(name);
    if (f === undefined || f.type.kind !== 'message') return undefined;
    t = f.type.messageType;
  }
  return t;
}
