// Edits of the raw `triton.servers` array: only the entry a command is about changes; entries the
// parser skipped, headers it ignored and keys it does not know are written back exactly as they were.
import type { ServerConfig, ServerProtocol, ServerTls } from './serverConfig';
import { defaultServers, parseServerSettings, serverToSetting } from './serverConfig';

/** Fields an edit changes; `grpcUrl: null` removes the gRPC address. */
export interface ServerPatch {
  readonly name?: string;
  readonly httpUrl?: string;
  readonly grpcUrl?: string | null;
  readonly protocol?: ServerProtocol;
  readonly tls?: ServerTls;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The list to edit: the raw array, or the defaults when the setting is unset. A non-array is refused. */
function editableList(raw: unknown): unknown[] {
  if (raw === undefined || raw === null) return defaultServers.map(serverToSetting);
  if (!Array.isArray(raw)) throw new Error('triton.servers in settings.json is not a list of servers; fix or remove it before adding or editing servers here');
  return [...raw];
}

/** Index of the raw entry the parser turned into the server with this name. */
function entryIndex(raw: unknown, name: string): number {
  const parsed = parseServerSettings(raw);
  const at = parsed.servers.findIndex((s) => s.name === name);
  if (at < 0) throw new Error(`server '${name}' is no longer in triton.servers (was the setting changed meanwhile?)`);
  return parsed.sourceIndex[at]!;
}

export function appendServerSetting(raw: unknown, server: ServerConfig): unknown[] {
  return [...editableList(raw), serverToSetting(server)];
}

export function updateServerSetting(raw: unknown, name: string, patch: ServerPatch): unknown[] {
  const list = editableList(raw);
  const index = entryIndex(raw, name);
  const entry = index < 0 ? serverToSetting(defaultServers.find((s) => s.name === name)!) : { ...(list[index] as Record<string, unknown>) };
  if (patch.name !== undefined) entry.name = patch.name;
  if (patch.httpUrl !== undefined) entry.httpUrl = patch.httpUrl;
  if (patch.grpcUrl === null) delete entry.grpcUrl;
  else if (patch.grpcUrl !== undefined) entry.grpcUrl = patch.grpcUrl;
  if (patch.protocol !== undefined) entry.protocol = patch.protocol;
  if (patch.tls !== undefined) entry.tls = { ...(isObject(entry.tls) ? entry.tls : {}), ...patch.tls };
  if (index < 0) return list.map((e) => (isObject(e) && e.name === name ? entry : e));
  list[index] = entry;
  return list;
}

export function removeServerSetting(raw: unknown, name: string): unknown[] {
  const list = editableList(raw);
  const index = entryIndex(raw, name);
  if (index < 0) return list.filter((e) => !(isObject(e) && e.name === name));
  list.splice(index, 1);
  return list;
}
