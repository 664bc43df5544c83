// Messages between the log view and its host: snapshots and batched appends of parsed entries one
// way; clear, copy, open-config and configure requests the other. Plain JSON only.
import type { LogEntry } from '../logs/logParser';
import { isFiniteNumber, isRecord, isString, messageGuard } from './webviewProtocol';

export type { LogEntry };

export const LOG_VIEW_TYPE = 'triton.serverLog';

export interface LogResetMessage {
  type: 'reset';
  server: string;
  /** What feeds the log, or undefined when nothing does (the view then says how to configure one). */
  source?: string;
  entries: LogEntry[];
  maxLines: number;
  /** Scroll to the first entry at or after this time (ms since the epoch), e.g. an error's time. */
  focusTime?: number;
}

export interface LogAppendMessage {
  type: 'append';
  entries: LogEntry[];
  /** Entries skipped because the view fell behind by more than maxLines. */
  dropped: number;
}

export interface LogFocusMessage {
  type: 'focus';
  timeMs: number;
}

export interface LogSourceMessage {
  type: 'source';
  source?: string;
}

export type LogToWebview = LogResetMessage | LogAppendMessage | LogFocusMessage | LogSourceMessage | { type: 'cleared' };

export interface OpenConfigMessage {
  type: 'openConfig';
  model: string;
  /** The failure message, used to find the line it is about. */
  message: string;
}

export type LogFromWebview =
  | OpenConfigMessage
  | { type: 'copy'; text: string }
  | { type: 'clear' }
  | { type: 'configure' };

export const isLogFromWebview = messageGuard<LogFromWebview>({
  openConfig: (m) => isString(m.model) && m.model.length <= 512 && isString(m.message) && m.message.length <= 100_000,
  copy: (m) => isString(m.text) && m.text.length <= 50_000_000,
  clear: () => true,
  configure: () => true,
});

function isEntry(x: unknown): x is LogEntry {
  return isRecord(x) && isFiniteNumber(x.seq) && isString(x.severity) && isString(x.message);
}

const isEntries = (x: unknown): x is LogEntry[] => Array.isArray(x) && x.every(isEntry);

export const isLogToWebview = messageGuard<LogToWebview>({
  reset: (m) => isString(m.server) && isEntries(m.entries) && isFiniteNumber(m.maxLines) && (m.source === undefined || isString(m.source)),
  append: (m) => isEntries(m.entries) && isFiniteNumber(m.dropped),
  focus: (m) => isFiniteNumber(m.timeMs),
  source: (m) => m.source === undefined || isString(m.source),
  cleared: () => true,
});

/** What the page keeps across reloads: its filters and the server it shows. */
export interface LogViewState {
  server: string;
  severities: string[];
  model: string;
  text: string;
  follow: boolean;
}

export function isLogViewState(x: unknown): x is LogViewState {
  return isRecord(x) && isString(x.server) && Array.isArray(x.severities) && isString(x.model) && isString(x.text) && typeof x.follow === 'boolean';
}
