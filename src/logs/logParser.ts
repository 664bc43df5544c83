// Triton log lines (default and ISO8601 prefixes) into entries: severity, time, pid, file:line and the
// unescaped message, with multi-line entries (tables, config dumps) joined and foreign lines kept as text.

/** 'text' is a line in no Triton format; 'notice' is about the source itself (rotated, exited). */
export type Severity = 'error' | 'warning' | 'info' | 'text' | 'notice';

/** One log entry; plain JSON so it can travel to a webview unchanged. */
export interface LogEntry {
  /** Position in the stream, increasing by one per entry; survives ring-buffer eviction. */
  seq: number;
  severity: Severity;
  /** The time as printed (default format has no year), undefined for plain text. */
  time?: string;
  /** Milliseconds since the epoch (UTC), undefined for plain text. */
  timeMs?: number;
  pid?: number;
  /** Source file and line, e.g. "model_lifecycle.cc:654". */
  source?: string;
  /** The message, unescaped; several lines for tables and dumps. */
  message: string;
  /** The model the message is about, when it names one. */
  model?: string;
  /** True for a model load failure (links to the model's config.pbtxt). */
  loadFailure?: boolean;
}

const DEFAULT_PREFIX = /^([EWI])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6}) (\d+) ([^:\]\s]+:\d+)\] ?(.*)$/;
const ISO_PREFIX = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z ([EWI]) (\d+) ([^:\]\s]+:\d+)\] ?(.*)$/;

const SEVERITY: Record<string, Severity> = { E: 'error', W: 'warning', I: 'info' };

/** Triton quotes messages as JSON string literals since 24.06; older servers print them raw. */
export function unquoteMessage(text: string): { text: string; quoted: boolean } {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === 'string') return { text: parsed, quoted: true };
    } catch {
      // Not a complete literal (e.g. a heading followed by a dump): keep it as printed.
    }
  }
  return { text, quoted: false };
}

// Message shapes that name a model, most specific first; the last group is the model name.
const MODEL_PATTERNS: readonly RegExp[] = [
  /^loading: (.+):\d+$/,
  /^successfully (?:loaded|unloaded) '([^']+)'/,
  /^failed to load '([^']+)'/,
  /^Poll failed for model directory '([^']+)'/,
  /^failed to (?:poll|load) model '([^']+)'/,
  /^AsyncLoad\(\) '([^']+)'/,
  /^TRITONBACKEND_Model(?:Instance)?(?:Initialize|Finalize): ([^\s(]+?)(?:_\d+)? \(/,
  /\bmodel '([^']+)'/,
  /\bfor model '([^']+)'/,
];

const LOAD_FAILURE = /^(?:failed to load '[^']+' version|Poll failed for model directory '|failed to load model '|failed to poll model ')/;

export function modelOf(message: string): string | undefined {
  for (const re of MODEL_PATTERNS) {
    const m = re.exec(message);
    if (m !== null) return m[1];
  }
  return undefined;
}

/**
 * The year of a default-format time (which has none): this year, or last year when that would put
 * the entry more than a day in the future (a log read just after New Year).
 */
function defaultFormatTime(month: number, day: number, h: number, mi: number, s: number, micros: number, now: number): number {
  const year = new Date(now).getUTCFullYear();
  const t = Date.UTC(year, month - 1, day, h, mi, s) + micros / 1000;
  return t > now + 86_400_000 ? Date.UTC(year - 1, month - 1, day, h, mi, s) + micros / 1000 : t;
}

export interface LogParserOptions {
  /** The clock for default-format years (tests pin it). */
  now?: () => number;
  /** Longest message kept per entry; more is cut with a note (a runaway dump must not eat memory). */
  maxMessageChars?: number;
}

/**
 * Streaming parser: feed complete lines, receive finished entries. An entry stays open while
 * continuation lines may follow (a table after an empty message, a dump after a heading ending in
 * ':'), so call `flush()` when the input pauses to release the last one.
 */
export class LogParser {
  private open: LogEntry | undefined;
  /** Why the open entry takes continuation lines: 'table' ends at an empty line, 'dump' at the next prefix. */
  private openKind: 'table' | 'dump' | 'none' = 'none';
  private nextSeq = 0;
  private readonly now: () => number;
  private readonly maxChars: number;

  constructor(options: LogParserOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxChars = options.maxMessageChars ?? 64 * 1024;
  }

  /** Parses lines (without line terminators) and returns the entries they completed. */
  push(lines: readonly string[]): LogEntry[] {
    const out: LogEntry[] = [];
    for (const raw of lines) this.pushLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw, out);
    return out;
  }

  /** Releases the entry still waiting for continuation lines, if any. */
  flush(): LogEntry[] {
    if (this.open === undefined) return [];
    const e = this.open;
    this.open = undefined;
    this.openKind = 'none';
    return [e];
  }

  private pushLine(line: string, out: LogEntry[]): void {
    const entry = this.parsePrefixed(line);
    if (entry !== undefined) {
      if (this.open !== undefined) out.push(this.open);
      const message = entry.message;
      if (message === '') this.openKind = 'table';
      else if (/:\s*$|\{\s*$/.test(message)) this.openKind = 'dump';
      else this.openKind = 'none';
      if (this.openKind === 'none') {
        this.open = undefined;
        out.push(entry);
      } else {
        this.open = entry;
      }
      return;
    }
    if (this.open !== undefined) {
      if (this.openKind === 'table' && line.trim() === '') {
        // A table ends with an empty line; it belongs to the table, not the log.
        out.push(this.open);
        this.open = undefined;
        this.openKind = 'none';
        return;
      }
      this.append(this.open, line);
      return;
    }
    if (line === '') return;
    out.push({ seq: this.nextSeq++, severity: 'text', message: line });
  }

  private append(entry: LogEntry, line: string): void {
    if (entry.message.length >= this.maxChars) return;
    const next = entry.message === '' ? line : `${entry.message}\n${line}`;
    entry.message = next.length > this.maxChars ? `${next.slice(0, this.maxChars)}… (cut at ${this.maxChars} characters)` : next;
  }

  private parsePrefixed(line: string): LogEntry | undefined {
    const first = line.charCodeAt(0);
    let m: RegExpExecArray | null = null;
    let iso = false;
    // Cheap first-character test keeps foreign output away from the regexes.
    if (first === 69 || first === 87 || first === 73) m = DEFAULT_PREFIX.exec(line);
    else if (first >= 48 && first <= 57) {
      m = ISO_PREFIX.exec(line);
      iso = true;
    }
    if (m === null) return undefined;
    let severity: Severity;
    let timeMs: number;
    let time: string;
    let pid: number;
    let source: string;
    let rest: string;
    if (iso) {
      severity = SEVERITY[m[7]!]!;
      timeMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
      time = `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`;
      pid = Number(m[8]);
      source = m[9]!;
      rest = m[10]!;
    } else {
      severity = SEVERITY[m[1]!]!;
      timeMs = defaultFormatTime(Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]), this.now());
      time = `${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}.${m[7]}`;
      pid = Number(m[8]);
      source = m[9]!;
      rest = m[10]!;
    }
    const { text } = unquoteMessage(rest);
    const message = text.length > this.maxChars ? `${text.slice(0, this.maxChars)}… (cut at ${this.maxChars} characters)` : text;
    const entry: LogEntry = { seq: this.nextSeq++, severity, time, timeMs, pid, source, message };
    const model = modelOf(message);
    if (model !== undefined) entry.model = model;
    if (model !== undefined && severity === 'error' && LOAD_FAILURE.test(message)) entry.loadFailure = true;
    return entry;
  }
}

/** Where a message points inside a config file: "3:5: ..." as protobuf's text-format errors print it. */
export function configPositionOf(message: string): { line: number; column: number } | undefined {
  const m = /(?:^|\s|config\.pbtxt:?)(\d{1,6}):(\d{1,6}):\s/.exec(message);
  if (m === null) return undefined;
  return { line: Number(m[1]), column: Number(m[2]) };
}
