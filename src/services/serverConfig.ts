// Server entries of the `triton.servers` setting: their shape, parsing of user input and validation.

export type ServerProtocol = 'http' | 'grpc';

export interface ServerTls {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly insecureSkipVerify?: boolean;
}

/** Where a server's own log can be read: a file it writes, or a command that prints it. */
export type ServerLogSource =
  | { readonly kind: 'file'; readonly file: string; readonly tailLines: number }
  | { readonly kind: 'command'; readonly command: readonly string[] };

export const defaultTailLines = 1000;
const maxTailLines = 1_000_000;

export interface ServerConfig {
  readonly name: string;
  readonly httpUrl: string;
  readonly grpcUrl?: string;
  readonly protocol: ServerProtocol;
  readonly tls?: ServerTls;
  /** Non-secret headers only; secret ones live in secret storage under the server's name and address. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The server's log; a server started from the editor also has its output, without this. */
  readonly log?: ServerLogSource;
}

export const defaultServers: readonly ServerConfig[] = [
  { name: 'localhost', httpUrl: 'http://localhost:8000', grpcUrl: 'localhost:8001', protocol: 'http' },
];

/** Where settings come from; src/vscode implements it over the workspace configuration. */
export interface ServerSettings {
  readServers(): unknown;
  /** Writes the raw entries back where the list lives (see serverSettingsEdit.ts for how they are edited). */
  writeServers(entries: readonly unknown[]): Promise<void>;
}

/** Where tokens and secret headers live; src/vscode implements it over SecretStorage. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Secret headers of one server, stored as one JSON object so a server has one secret entry. */
export function secretKeyFor(serverName: string): string {
  return `triton.server.${serverName}.headers`;
}

/**
 * The address a server's secrets belong to: HTTP origin plus gRPC target. Secrets are sent only to
 * the address they were saved for, so a settings file that reuses a server's name for another URL
 * (a cloned workspace, say) never receives the user's token.
 */
export function secretEndpointOf(server: Pick<ServerConfig, 'httpUrl' | 'grpcUrl'>): string {
  let origin: string;
  try {
    origin = new URL(server.httpUrl).origin;
  } catch {
    origin = server.httpUrl;
  }
  return server.grpcUrl !== undefined ? `${origin} (gRPC ${server.grpcUrl.toLowerCase()})` : origin;
}

export interface StoredSecrets {
  /** The address they were saved for; undefined for entries that predate binding. */
  readonly endpoint?: string;
  readonly headers: Record<string, string>;
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Whatever is stored under a server name, whichever address it belongs to. */
export async function readStoredSecrets(store: SecretStore, serverName: string): Promise<StoredSecrets> {
  const raw = await store.get(secretKeyFor(serverName));
  if (raw === undefined || raw === '') return { headers: {} };
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { headers: {} };
    const p = parsed as Record<string, unknown>;
    if (typeof p.endpoint === 'string') return { endpoint: p.endpoint, headers: stringRecord(p.headers) };
    return { headers: stringRecord(p) };
  } catch {
    return { headers: {} };
  }
}

/** Secret headers to send to this server: none unless they were saved for its current address. */
export async function readSecretHeaders(store: SecretStore, server: ServerConfig): Promise<Record<string, string>> {
  const stored = await readStoredSecrets(store, server.name);
  return stored.endpoint === secretEndpointOf(server) ? stored.headers : {};
}

/**
 * Why stored secrets are withheld from this server, or undefined when there are none or they match.
 * The user has to enter the token again for the new address; nothing is re-bound silently.
 */
export async function withheldSecretsReason(store: SecretStore, server: ServerConfig): Promise<string | undefined> {
  const stored = await readStoredSecrets(store, server.name);
  const endpoint = secretEndpointOf(server);
  if (Object.keys(stored.headers).length === 0 || stored.endpoint === endpoint) return undefined;
  const savedFor = stored.endpoint === undefined ? 'an address that was not recorded' : stored.endpoint;
  return `the token and secret headers of server '${server.name}' were saved for ${savedFor}, not for ${endpoint}, so they are not sent. ` +
    `If ${endpoint} is the right server, enter the token again (Triton: Set Server Token / Set Secret Header).`;
}

/** Saves the secret headers of a server, bound to its current address. */
export async function writeSecretHeaders(store: SecretStore, server: ServerConfig, headers: Record<string, string>): Promise<void> {
  if (Object.keys(headers).length === 0) await store.delete(secretKeyFor(server.name));
  else await store.store(secretKeyFor(server.name), JSON.stringify({ endpoint: secretEndpointOf(server), headers }));
}

export interface ParsedServers {
  readonly servers: ServerConfig[];
  /** For each server, the index of the raw setting entry it came from (-1 for the defaults). */
  readonly sourceIndex: number[];
  /** One line per entry that was skipped or corrected, saying which entry and why. */
  readonly problems: string[];
}

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reads the raw setting value; broken entries are skipped with a problem line, never thrown. */
export function parseServerSettings(raw: unknown): ParsedServers {
  const defaults = { servers: [...defaultServers], sourceIndex: defaultServers.map(() => -1) };
  if (raw === undefined || raw === null) return { ...defaults, problems: [] };
  if (!Array.isArray(raw)) return { ...defaults, problems: ['triton.servers must be an array of server objects; using the default server'] };
  const servers: ServerConfig[] = [];
  const sourceIndex: number[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const where = `triton.servers[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${where}: expected an object`);
      return;
    }
    const e = entry as Record<string, unknown>;
    const name = typeof e.name === 'string' ? e.name.trim() : '';
    const nameError = validateServerName(name, seen);
    if (nameError !== undefined) {
      problems.push(`${where}: ${nameError}`);
      return;
    }
    const httpUrl = typeof e.httpUrl === 'string' ? e.httpUrl.trim() : '';
    const httpError = validateHttpUrl(httpUrl);
    if (httpError !== undefined) {
      problems.push(`${where} (${name}): ${httpError}`);
      return;
    }
    let grpcUrl: string | undefined;
    if (typeof e.grpcUrl === 'string' && e.grpcUrl.trim() !== '') {
      const grpcError = validateGrpcTarget(e.grpcUrl.trim());
      if (grpcError === undefined) grpcUrl = e.grpcUrl.trim();
      else problems.push(`${where} (${name}): ${grpcError}; gRPC disabled for this server`);
    }
    let protocol: ServerProtocol = e.protocol === 'grpc' ? 'grpc' : 'http';
    if (protocol === 'grpc' && grpcUrl === undefined) {
      problems.push(`${where} (${name}): protocol is grpc but no valid grpcUrl; using http`);
      protocol = 'http';
    }
    const headers: Record<string, string> = {};
    if (e.headers !== undefined && e.headers !== null && typeof e.headers === 'object' && !Array.isArray(e.headers)) {
      for (const [k, v] of Object.entries(e.headers as Record<string, unknown>)) {
        if (typeof v === 'string' && headerName.test(k)) headers[k] = v;
        else problems.push(`${where} (${name}): header '${k}' ignored (name must be a token, value a string)`);
      }
    }
    const tls = parseTls(e.tls);
    let log: ServerLogSource | undefined;
    if (e.log !== undefined && e.log !== null) {
      const parsedLog = parseLogSource(e.log);
      if (typeof parsedLog === 'string') problems.push(`${where} (${name}): log ignored: ${parsedLog}`);
      else log = parsedLog;
    }
    seen.add(name);
    sourceIndex.push(i);
    servers.push({
      name,
      httpUrl: httpUrl.replace(/\/+$/, ''),
      ...(grpcUrl !== undefined ? { grpcUrl } : {}),
      protocol,
      ...(tls !== undefined ? { tls } : {}),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(log !== undefined ? { log } : {}),
    });
  });
  return { servers, sourceIndex, problems };
}

/** A log source from settings, or why it cannot be used. */
export function parseLogSource(raw: unknown): ServerLogSource | string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'expected { "file": "<path>" } or { "command": ["docker", "logs", "-f", "<name>"] }';
  const l = raw as Record<string, unknown>;
  if (l.file !== undefined && l.command !== undefined) return 'give either "file" or "command", not both';
  if (l.file !== undefined) {
    if (typeof l.file !== 'string' || l.file.trim() === '') return '"file" must be a non-empty path';
    if (l.file.includes('\0')) return '"file" holds a NUL byte';
    let tailLines = defaultTailLines;
    if (l.tailLines !== undefined) {
      if (typeof l.tailLines !== 'number' || !Number.isInteger(l.tailLines) || l.tailLines < 0 || l.tailLines > maxTailLines) return `"tailLines" must be a whole number from 0 to ${maxTailLines}`;
      tailLines = l.tailLines;
    }
    return { kind: 'file', file: l.file.trim(), tailLines };
  }
  if (l.command !== undefined) {
    if (!Array.isArray(l.command) || l.command.length === 0 || !l.command.every((a) => typeof a === 'string')) return '"command" must be a non-empty array of strings, e.g. ["docker", "logs", "-f", "triton"]';
    const argv = l.command as string[];
    if (argv[0]!.trim() === '') return '"command" has an empty program name';
    if (argv.some((a) => a.includes('\0'))) return '"command" holds a NUL byte';
    return { kind: 'command', command: [...argv] };
  }
  return 'expected "file" or "command"';
}

function logSourceToSetting(log: ServerLogSource): Record<string, unknown> {
  return log.kind === 'file' ? { file: log.file, ...(log.tailLines !== defaultTailLines ? { tailLines: log.tailLines } : {}) } : { command: [...log.command] };
}

function parseTls(raw: unknown): ServerTls | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const t = raw as Record<string, unknown>;
  const out: { caFile?: string; certFile?: string; keyFile?: string; insecureSkipVerify?: boolean } = {};
  if (typeof t.caFile === 'string' && t.caFile !== '') out.caFile = t.caFile;
  if (typeof t.certFile === 'string' && t.certFile !== '') out.certFile = t.certFile;
  if (typeof t.keyFile === 'string' && t.keyFile !== '') out.keyFile = t.keyFile;
  if (t.insecureSkipVerify === true) out.insecureSkipVerify = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Returns why a name is unusable, or undefined when it is fine. */
export function validateServerName(name: string, taken: ReadonlySet<string>): string | undefined {
  if (name === '') return 'a server needs a name';
  if (name.length > 64) return 'a server name is at most 64 characters';
  if ([...name].some((c) => c.charCodeAt(0) < 0x20)) return 'a server name cannot hold control characters';
  if (taken.has(name)) return `a server named '${name}' already exists`;
  return undefined;
}

export function validateHttpUrl(value: string): string | undefined {
  if (value === '') return 'an HTTP URL is required, e.g. http://localhost:8000';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `'${value}' is not a URL; write it as http://host:port`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `'${value}' must start with http:// or https://`;
  if (url.username !== '' || url.password !== '') return 'credentials in the URL would end up in settings; add them as a secret header instead';
  if (url.search !== '' || url.hash !== '') return 'the URL cannot carry a query or fragment';
  return undefined;
}

/** gRPC targets are host:port without a scheme, as Triton's clients expect. */
export function validateGrpcTarget(value: string): string | undefined {
  if (/^[a-z]+:\/\//i.test(value)) return `'${value}' must be host:port without a scheme`;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d{1,5})$/.exec(value);
  if (m === null) return `'${value}' is not host:port`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `port ${port} is out of range`;
  return undefined;
}

/** Plain JSON of a server as written back to settings (no secrets ever reach this). */
export function serverToSetting(server: ServerConfig): Record<string, unknown> {
  return {
    name: server.name,
    httpUrl: server.httpUrl,
    ...(server.grpcUrl !== undefined ? { grpcUrl: server.grpcUrl } : {}),
    protocol: server.protocol,
    ...(server.tls !== undefined ? { tls: { ...server.tls } } : {}),
    ...(server.headers !== undefined ? { headers: { ...server.headers } } : {}),
    ...(server.log !== undefined ? { log: logSourceToSetting(server.log) } : {}),
  };
}
