// An HTTP/1.1 response parser written for the client's exchanges: status line, a bounded header block
// (only the headers the client uses are kept), Content-Length, chunked and close-delimited bodies,
// 1xx interim answers skipped, 204/304 without a body. Fed socket chunks as they arrive; body bytes
// are handed on as views into those chunks, never copied.

/** Largest header block (status line and headers, or a chunked answer's trailers) accepted. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Longest chunk-size line, extensions included. */
const MAX_CHUNK_LINE = 4096;
/** Interim (1xx) answers accepted ahead of one final answer; real servers send one or two. */
const MAX_INTERIM = 16;

/** A violation of HTTP/1.1 framing. `notHttp` marks an answer that does not even start like HTTP. */
export class HttpParseError extends Error {
  constructor(readonly code: string, message: string, readonly notHttp = false) {
    super(message);
  }
}

/** The headers the client reads; every other header is skipped without being kept. */
export interface ResponseHeaders {
  'content-type'?: string;
  'content-encoding'?: string;
  'inference-header-content-length'?: string;
  'content-length'?: string;
}

/** What the parser reports; one listener per connection, the connection forwards to its current call. */
export interface ResponseListener {
  onHead(status: number, headers: ResponseHeaders): void;
  onBody(chunk: Buffer): void;
  /** The answer ended; `reusable` is false when the connection cannot carry another request. */
  onComplete(reusable: boolean): void;
}

const enum State {
  Idle,
  Head,
  Length,
  ChunkSize,
  /** Whitespace after a chunk size (BWS): an extension or the line end must follow. */
  ChunkSizeWs,
  ChunkExt,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailer,
  UntilClose,
  Done,
}

const CR = 0x0d;
const LF = 0x0a;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const HTTP_PREFIX = 'HTTP/1.';

export class ResponseParser {
  private state = State.Idle;
  /** Head bytes gathered across chunks (only when the head did not arrive in one piece). */
  private pendingHead: Buffer | undefined;
  /** How many bytes of pendingHead hold the head gathered so far. */
  private pendingLength = 0;
  private remaining = 0;
  private chunkLine = 0;
  private trailerBytes = 0;
  /** At the start of a trailer line (a CR there ends the trailers). */
  private lineStart = true;
  private keepAlive = true;
  /** Interim answers met since the request was sent. */
  private interim = 0;
  /** The server's announced idle limit (Keep-Alive: timeout=N), in ms; undefined when it announced none. */
  idleLimitMs: number | undefined;

  constructor(private readonly listener: ResponseListener) {}

  /** Arms the parser for the answer to a request just sent. */
  expect(): void {
    this.state = State.Head;
    this.pendingHead = undefined;
    this.keepAlive = true;
    this.interim = 0;
  }

  /** Whether the body ends with the connection (no length, no chunking). */
  get closeDelimited(): boolean {
    return this.state === State.UntilClose;
  }

  /** Parses one socket chunk. Throws HttpParseError on a framing violation. */
  execute(data: Buffer): void {
    let at = 0;
    const end = data.length;
    while (at < end) {
      switch (this.state) {
        case State.Idle:
        case State.Done:
          throw new HttpParseError('HPE_UNEXPECTED_DATA', `${end - at} bytes arrived after the answer had ended`);
        case State.Head:
          at = this.head(data, at);
          break;
        case State.Length: {
          const take = Math.min(this.remaining, end - at);
          this.remaining -= take;
          this.listener.onBody(at === 0 && take === end ? data : data.subarray(at, at + take));
          at += take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case State.UntilClose:
          this.listener.onBody(at === 0 ? data : data.subarray(at));
          at = end;
          break;
        case State.ChunkData: {
          const take = Math.min(this.remaining, end - at);
          this.remaining -= take;
          this.listener.onBody(data.subarray(at, at + take));
          at += take;
          if (this.remaining === 0) this.state = State.ChunkDataCr;
          break;
        }
        default:
          at = this.chunkFraming(data, at);
      }
    }
  }

  /** The connection ended. Completes a close-delimited body; throws if an answer was cut short. */
  finish(): void {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.listener.onComplete(false);
    }
  }

  private complete(): void {
    this.state = State.Done;
    this.listener.onComplete(this.keepAlive);
  }

  /** Gathers the head; returns where parsing continues in `data`. */
  private head(data: Buffer, at: number): number {
    let buffer = data;
    let start = at;
    // Head bytes gathered so far, or -1 when the head starts in `data`.
    const previous = this.pendingHead === undefined ? -1 : this.pendingLength;
    if (previous !== -1) {
      // Appended to a buffer that doubles when full: a head arriving in tiny pieces costs linear time.
      const length = previous + data.length - at;
      let pending = this.pendingHead!;
      if (length > pending.length) {
        pending = Buffer.allocUnsafe(Math.max(length, 2 * pending.length));
        this.pendingHead!.copy(pending, 0, 0, previous);
        this.pendingHead = pending;
      }
      data.copy(pending, previous, at);
      this.pendingLength = length;
      buffer = pending.subarray(0, length);
      start = 0;
    }
    checkPrefix(buffer, start);
    // Resume the search a little before the new bytes: the terminator may straddle the split.
    const from = previous === -1 ? start : Math.max(0, previous - 3);
    const found = buffer.indexOf(HEAD_END, from);
    if (found === -1) {
      // A head whose lines end in bare LFs has no CRLFCRLF to wait for: refused now, not at a deadline.
      checkBareLf(buffer, previous === -1 ? start : previous);
      if (buffer.length - start > MAX_HEAD_BYTES) {
        throw new HttpParseError('HPE_HEADER_OVERFLOW', `the answer's header block exceeds ${MAX_HEAD_BYTES} bytes`);
      }
      if (previous === -1) {
        const length = data.length - start;
        this.pendingHead = Buffer.allocUnsafe(Math.max(2 * length, 512));
        data.copy(this.pendingHead, 0, start);
        this.pendingLength = length;
      }
      return data.length;
    }
    if (found + 4 - start > MAX_HEAD_BYTES) {
      throw new HttpParseError('HPE_HEADER_OVERFLOW', `the answer's header block exceeds ${MAX_HEAD_BYTES} bytes`);
    }
    this.pendingHead = undefined;
    this.parseHead(buffer.toString('latin1', start, found));
    // Where the body starts within `data`.
    const consumed = found + 4 - start;
    return previous === -1 ? start + consumed : at + consumed - previous;
  }

  private parseHead(text: string): void {
    let lineEnd = text.indexOf('\r\n');
    if (lineEnd === -1) lineEnd = text.length;
    checkLine(text, 0, lineEnd);
    // "HTTP/1.1 200 OK": version, three-digit status, optional reason.
    if (!text.startsWith(HTTP_PREFIX) || text.charCodeAt(8) !== 0x20) {
      throw new HttpParseError('HPE_INVALID_CONSTANT', `the status line '${printable(text.slice(0, Math.min(lineEnd, 40)))}' is not HTTP/1.x`, true);
    }
    const minor = text.charCodeAt(7);
    if (minor !== 0x30 && minor !== 0x31) {
      throw new HttpParseError('HPE_INVALID_VERSION', `unsupported HTTP version '${printable(text.slice(0, 8))}'`, true);
    }
    const status = threeDigits(text, 9);
    if (status < 0 || (lineEnd > 12 && text.charCodeAt(12) !== 0x20)) {
      throw new HttpParseError('HPE_INVALID_STATUS', `invalid status line '${printable(text.slice(0, Math.min(lineEnd, 40)))}'`, true);
    }
    let keepAlive = minor === 0x31;
    const headers: ResponseHeaders = {};
    let contentLength: string | undefined;
    let transferEncoding: string | undefined;
    let at = lineEnd + 2;
    while (at < text.length) {
      let next = text.indexOf('\r\n', at);
      if (next === -1) next = text.length;
      checkLine(text, at, next);
      const colon = text.indexOf(':', at);
      if (colon === -1 || colon >= next || colon === at) {
        throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', `malformed header line '${printable(text.slice(at, Math.min(next, at + 60)))}'`);
      }
      const first = text.charCodeAt(at);
      if (first === 0x20 || first === 0x09) {
        throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', 'folded header lines are not allowed');
      }
      if (!isToken(text, at, colon)) {
        // Whitespace before the colon included: a skipped "Content-Length :" would leave the body unframed.
        throw new HttpParseError('HPE_INVALID_HEADER_TOKEN', `invalid header name '${printable(text.slice(at, Math.min(colon, at + 60)))}'`);
      }
      const nameLength = colon - at;
      // Only names of a length the client cares about are looked at closely.
      if (nameLength === 10 || nameLength === 12 || nameLength === 14 || nameLength === 16 || nameLength === 17 || nameLength === 31) {
        const name = text.slice(at, colon).toLowerCase();
        const value = trimOws(text, colon + 1, next);
        switch (name) {
          case 'content-length':
            if (contentLength !== undefined && contentLength !== value) {
              throw new HttpParseError('HPE_INVALID_CONTENT_LENGTH', `conflicting Content-Length headers '${printable(contentLength)}' and '${printable(value)}'`);
            }
            contentLength = value;
            break;
          case 'transfer-encoding':
            transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
            break;
          case 'connection': {
            const tokens = value.toLowerCase();
            if (/(?:^|,)\s*close\s*(?:,|$)/.test(tokens)) keepAlive = false;
            else if (minor === 0x30 && /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(tokens)) keepAlive = true;
            break;
          }
          case 'keep-alive': {
            // "timeout=5": how long the server keeps an idle connection open.
            const match = /(?:^|[,\s])timeout\s*=\s*(\d+)/i.exec(value);
            if (match !== null) this.idleLimitMs = Number(match[1]) * 1000;
            break;
          }
          case 'content-type':
          case 'content-encoding':
          case 'inference-header-content-length':
            headers[name] = value;
            break;
          default:
        }
      }
      at = next + 2;
    }

    if (status >= 100 && status < 200) {
      if (status === 101) throw new HttpParseError('HPE_UNEXPECTED_UPGRADE', 'the server switched protocols (101) although the request asked for no upgrade');
      // An interim answer (100 Continue, 103 Early Hints): the real one follows.
      if (++this.interim > MAX_INTERIM) throw new HttpParseError('HPE_INTERIM_OVERFLOW', `more than ${MAX_INTERIM} interim (1xx) answers before the final one`);
      this.state = State.Head;
      return;
    }
    this.keepAlive = keepAlive;
    if (transferEncoding !== undefined && contentLength !== undefined) {
      throw new HttpParseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'the answer has both Content-Length and Transfer-Encoding');
    }
    if (contentLength !== undefined) {
      if (!/^\d+$/.test(contentLength) || !Number.isSafeInteger(Number(contentLength))) {
        throw new HttpParseError('HPE_INVALID_CONTENT_LENGTH', `invalid Content-Length '${printable(contentLength)}'`);
      }
      headers['content-length'] = contentLength;
    }
    this.listener.onHead(status, headers);
    if (status === 204 || status === 304) {
      this.complete();
      return;
    }
    if (transferEncoding !== undefined) {
      if (transferEncoding.toLowerCase() !== 'chunked') {
        throw new HttpParseError('HPE_INVALID_TRANSFER_ENCODING', `unsupported Transfer-Encoding '${printable(transferEncoding)}'`);
      }
      this.state = State.ChunkSize;
      this.remaining = 0;
      this.chunkLine = 0;
      // HTTP/1.0 has no transfer codings: its sender may frame the next message differently (RFC 9112 §6.1).
      if (minor === 0x30) this.keepAlive = false;
      return;
    }
    if (contentLength !== undefined) {
      this.remaining = Number(contentLength);
      this.state = State.Length;
      if (this.remaining === 0) this.complete();
      return;
    }
    this.keepAlive = false;
    this.state = State.UntilClose;
  }

  /** Chunk-size lines, the CRLF after chunk data, and trailers: byte by byte, so any split works. */
  private chunkFraming(data: Buffer, at: number): number {
    const end = data.length;
    while (at < end) {
      const c = data[at]!;
      switch (this.state) {
        case State.ChunkSize: {
          const digit = hexValue(c);
          if (digit >= 0) {
            // Leading zeros are allowed (the line stays bounded); the value must stay below 2^53.
            if (++this.chunkLine > MAX_CHUNK_LINE) throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', `chunk size line longer than ${MAX_CHUNK_LINE} bytes`);
            if (this.remaining >= 2 ** 49) throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', 'chunk size too large');
            this.remaining = this.remaining * 16 + digit;
          } else if (this.chunkLine > 0 && c === 0x3b) {
            this.state = State.ChunkExt;
          } else if (this.chunkLine > 0 && (c === 0x20 || c === 0x09)) {
            this.state = State.ChunkSizeWs;
          } else if (this.chunkLine > 0 && c === CR) {
            this.state = State.ChunkSizeLf;
          } else {
            throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', `invalid character 0x${c.toString(16).padStart(2, '0')} in a chunk size`);
          }
          break;
        }
        case State.ChunkSizeWs:
          if (++this.chunkLine > MAX_CHUNK_LINE) throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', `chunk size line longer than ${MAX_CHUNK_LINE} bytes`);
          if (c === 0x3b) this.state = State.ChunkExt;
          else if (c === CR) this.state = State.ChunkSizeLf;
          else if (c !== 0x20 && c !== 0x09) {
            throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', `invalid character 0x${c.toString(16).padStart(2, '0')} after a chunk size`);
          }
          break;
        case State.ChunkExt:
          if (++this.chunkLine > MAX_CHUNK_LINE) throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', `chunk extensions longer than ${MAX_CHUNK_LINE} bytes`);
          if (c === CR) this.state = State.ChunkSizeLf;
          else if (c === LF) throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', 'chunk size line not ended by CRLF');
          break;
        case State.ChunkSizeLf:
          if (c !== LF) throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', 'chunk size line not ended by CRLF');
          this.chunkLine = 0;
          if (this.remaining === 0) {
            this.state = State.Trailer;
            this.trailerBytes = 0;
            this.lineStart = true;
          } else {
            this.state = State.ChunkData;
            return at + 1;
          }
          break;
        case State.ChunkDataCr:
          if (c !== CR) throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', 'chunk data not followed by CRLF');
          this.state = State.ChunkDataLf;
          break;
        case State.ChunkDataLf:
          if (c !== LF) throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', 'chunk data not followed by CRLF');
          this.state = State.ChunkSize;
          this.remaining = 0;
          break;
        case State.Trailer:
          if (++this.trailerBytes > MAX_HEAD_BYTES) throw new HttpParseError('HPE_HEADER_OVERFLOW', `the answer's trailers exceed ${MAX_HEAD_BYTES} bytes`);
          if (c === LF) {
            if (this.lineStart) {
              this.complete();
              return at + 1;
            }
            this.lineStart = true;
          } else if (c !== CR) {
            this.lineStart = false;
          }
          break;
        default:
          return at;
      }
      at++;
    }
    return at;
  }
}

function checkPrefix(data: Buffer, at: number): void {
  // A gRPC port, a TLS server or garbage fails here at once, not after 64 KiB or a timeout.
  const n = Math.min(HTTP_PREFIX.length, data.length - at);
  for (let i = 0; i < n; i++) {
    if (data[at + i] !== HTTP_PREFIX.charCodeAt(i)) {
      throw new HttpParseError('HPE_INVALID_CONSTANT', `the answer starts with '${printable(data.toString('latin1', at, at + Math.min(16, data.length - at)))}', not an HTTP/1.x status line`, true);
    }
  }
}

const BARE_LF = "the answer's head has a line ended by a bare LF (HTTP/1.1 lines end in CRLF)";

/** A line of the head (from `at` to the CRLF at `end`) may hold neither CR nor LF: either would make the framing ambiguous. */
function checkLine(text: string, at: number, end: number): void {
  const lf = text.indexOf('\n', at);
  if (lf !== -1 && lf < end) throw new HttpParseError('HPE_LF_EXPECTED', BARE_LF);
  const cr = text.indexOf('\r', at);
  if (cr !== -1 && cr < end) throw new HttpParseError('HPE_CR_EXPECTED', "the answer's head has a bare CR inside a line");
}

/** Throws on an LF at or after `from` that does not follow a CR. */
function checkBareLf(data: Buffer, from: number): void {
  for (let lf = data.indexOf(LF, from); lf !== -1; lf = data.indexOf(LF, lf + 1)) {
    if (lf === 0 || data[lf - 1] !== CR) throw new HttpParseError('HPE_LF_EXPECTED', BARE_LF);
  }
}

/** 1 for the bytes a token (a header name) may hold (RFC 9110, tchar). */
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[ch.charCodeAt(0)] = 1;

function isToken(text: string, at: number, end: number): boolean {
  for (let i = at; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f || TCHAR[c] === 0) return false;
  }
  return true;
}

/** The value between `at` and `end` without the spaces and tabs around it (OWS); nothing else is stripped. */
function trimOws(text: string, at: number, end: number): string {
  let first = at;
  let last = end;
  while (first < last && (text.charCodeAt(first) === 0x20 || text.charCodeAt(first) === 0x09)) first++;
  while (last > first && (text.charCodeAt(last - 1) === 0x20 || text.charCodeAt(last - 1) === 0x09)) last--;
  return text.slice(first, last);
}

function threeDigits(text: string, at: number): number {
  let n = 0;
  for (let i = at; i < at + 3; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Control characters and bytes above ASCII shown as escapes, so an error message stays one clean line. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\xff]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
