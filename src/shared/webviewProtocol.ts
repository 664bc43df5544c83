// The handshake and guard helpers every webview panel's message protocol is built from. Messages
// are plain JSON objects with a string `type`; each panel declares its own unions and guards.

/** What every webview sends first, and again after each reload: the host may post from now on. */
export interface ReadyMessage {
  type: 'ready';
}

export interface TypedMessage {
  type: string;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function hasType<T extends string>(x: unknown, type: T): x is { type: T } & Record<string, unknown> {
  return isRecord(x) && x.type === type;
}

export function isReadyMessage(x: unknown): x is ReadyMessage {
  return hasType(x, 'ready');
}

export function isString(x: unknown): x is string {
  return typeof x === 'string';
}

export function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export function isBoolean(x: unknown): x is boolean {
  return typeof x === 'boolean';
}

export function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every(isString);
}

/**
 * A guard for a union of messages, from one field check per message type: unknown types and
 * messages whose fields do not check out are rejected.
 */
export function messageGuard<M extends TypedMessage>(checks: { [K in M['type']]: (m: Record<string, unknown>) => boolean }): (x: unknown) => x is M {
  const table = checks as Record<string, (m: Record<string, unknown>) => boolean>;
  return (x: unknown): x is M => isRecord(x) && typeof x.type === 'string' && Object.hasOwn(table, x.type) && table[x.type](x);
}
