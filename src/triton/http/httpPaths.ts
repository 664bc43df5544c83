// Server URLs and request paths of the HTTP transport: base paths, escaped names, version segments.
import { TritonError } from '../errors';

export interface ParsedHttpUrl {
  secure: boolean;
  hostname: string;
  port: number;
  /** "" or "/base/path" without a trailing slash. */
  basePath: string;
}

/** Accepts "host:port[/base]" (like tritonclient; TLS when requested) as well as "http(s)://host:port[/base]". */
export function parseHttpUrl(url: string, tlsRequested: boolean): ParsedHttpUrl {
  if (typeof url !== 'string' || url.trim() === '') throw new TritonError('invalid-argument', 'server URL is empty');
  const text = url.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let parsed: URL;
  try {
    parsed = new URL(hasScheme ? text : `http://${text}`);
  } catch {
    throw new TritonError('invalid-argument', `'${url}' is not a valid server URL (expected host:port or http(s)://host:port/path)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TritonError('invalid-argument', `'${url}' uses ${parsed.protocol}//; the HTTP client needs http:// or https://`);
  }
  if (parsed.username !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw new TritonError('invalid-argument', `'${url}' must not carry credentials, a query or a fragment (use headers for auth)`);
  }
  // An explicit scheme wins: TLS options never turn an http:// URL into HTTPS (Triton's HTTP port is plain).
  const secure = hasScheme ? parsed.protocol === 'https:' : tlsRequested;
  const port = parsed.port !== '' ? Number(parsed.port) : secure ? 443 : 80;
  const hostname = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  return { secure, hostname, port, basePath: parsed.pathname.replace(/\/+$/, '') };
}

/** Percent-encodes a path segment like Python's quote() (only A-Za-z0-9_.-~ stay). */
export function pathSegment(value: string, what: string): string {
  if (typeof value !== 'string' || value === '') throw new TritonError('invalid-argument', `${what} is empty`);
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function versionSegment(version: string | number | undefined): string {
  if (version === undefined || version === '') return '';
  const text = String(version);
  if (!/^\d+$/.test(text)) throw new TritonError('invalid-argument', `model version '${text}' must be a non-negative integer`);
  return `/versions/${text}`;
}
