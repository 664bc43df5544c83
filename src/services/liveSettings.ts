// A server's live log and trace settings: reading both, turning user input into valid updates (Triton
// wants booleans, an unsigned level, "default"/"ISO8601", and trace values as strings), and a
// "verbose for a while" window that puts the previous level back.
import type { TritonClient } from '../triton/client';
import type { CallOptions, LogSettings, LogSettingsUpdate, TraceSettings, TraceSettingsUpdate } from '../triton/types';

export type SettingsClient = Pick<TritonClient, 'getLogSettings' | 'updateLogSettings' | 'getTraceSettings' | 'updateTraceSettings'>;

export interface ServerSettingsSnapshot {
  readonly log?: LogSettings;
  readonly logProblem?: string;
  readonly trace?: TraceSettings;
  /** e.g. "the server does not support tracing" (a build without tracing answers 503). */
  readonly traceProblem?: string;
}

const reason = (error: unknown): string => {
  const e = error as { serverMessage?: string; message?: string };
  return e.serverMessage ?? e.message ?? String(error);
};

/** Reads log and trace settings; a server without one of the extensions still shows the other. */
export async function readServerSettings(client: SettingsClient, options?: CallOptions): Promise<ServerSettingsSnapshot> {
  const [log, trace] = await Promise.allSettled([client.getLogSettings(options), client.getTraceSettings(undefined, options)]);
  return {
    ...(log.status === 'fulfilled' ? { log: log.value } : { logProblem: reason(log.reason) }),
    ...(trace.status === 'fulfilled' ? { trace: trace.value } : { traceProblem: reason(trace.reason) }),
  };
}

export type LogSettingKey = 'log_verbose_level' | 'log_info' | 'log_warning' | 'log_error' | 'log_format' | 'log_file';

export const logSettingLabels: Record<LogSettingKey, string> = {
  log_verbose_level: 'Verbose level',
  log_info: 'Info messages',
  log_warning: 'Warning messages',
  log_error: 'Error messages',
  log_format: 'Line format',
  log_file: 'Log file',
};

/** Triton can change every log setting at runtime except the file (set with --log-file at start). */
export function isEditableLogSetting(key: LogSettingKey): boolean {
  return key !== 'log_file';
}

/** One log setting as typed by the user, checked and converted; throws with what is wrong. */
export function logSettingUpdate(key: LogSettingKey, input: string): LogSettingsUpdate {
  const text = input.trim();
  switch (key) {
    case 'log_verbose_level': {
      if (!/^\d{1,9}$/.test(text)) throw new Error(`the verbose level is a whole number of 0 or more (0 = off, 1 = request logs, 2 = more); got '${input}'`);
      return { log_verbose_level: Number(text) };
    }
    case 'log_info': case 'log_warning': case 'log_error': {
      if (text !== 'true' && text !== 'false') throw new Error(`${logSettingLabels[key]} is true or false; got '${input}'`);
      return { [key]: text === 'true' };
    }
    case 'log_format': {
      // Triton accepts exactly these spellings; "iso8601" is refused by the server.
      if (text !== 'default' && text !== 'ISO8601') throw new Error(`the line format is "default" or "ISO8601" (case matters); got '${input}'`);
      return { log_format: text };
    }
    case 'log_file':
      throw new Error('Triton cannot change its log file at runtime: restart it with --log-file=<path>');
  }
}

/** Trace settings that can be changed remotely, with what each takes. */
export const traceSettingKeys = ['trace_level', 'trace_rate', 'trace_count', 'log_frequency'] as const;
export type TraceSettingKey = (typeof traceSettingKeys)[number];

const TRACE_LEVELS = new Set(['OFF', 'TIMESTAMPS', 'TENSORS']);

/**
 * One trace setting as typed by the user; empty input clears a per-model value (falls back to the
 * global one). Values go out as strings: Triton rejects JSON numbers here.
 */
export function traceSettingUpdate(key: TraceSettingKey, input: string, perModel: boolean): TraceSettingsUpdate {
  const text = input.trim();
  if (text === '') {
    if (!perModel) throw new Error(`a global ${key} needs a value`);
    return { [key]: null };
  }
  switch (key) {
    case 'trace_level': {
      const levels = text.split(/[\s,]+/).filter((l) => l !== '').map((l) => l.toUpperCase());
      const unknown = levels.filter((l) => !TRACE_LEVELS.has(l));
      if (unknown.length > 0) throw new Error(`unknown trace level ${unknown.join(', ')}: use OFF, TIMESTAMPS and/or TENSORS`);
      if (levels.includes('OFF') && levels.length > 1) throw new Error('OFF cannot be combined with other trace levels');
      return { trace_level: levels };
    }
    case 'trace_count': {
      if (!/^(-1|\d{1,12})$/.test(text)) throw new Error(`trace_count is -1 (no limit) or a whole number of 0 or more; got '${input}'`);
      return { trace_count: text };
    }
    case 'trace_rate': case 'log_frequency': {
      if (!/^\d{1,12}$/.test(text)) throw new Error(`${key} is a whole number of 0 or more; got '${input}'`);
      return { [key]: text };
    }
  }
}

/** A trace value for display: lists joined, empty shown as such. */
export function traceValueText(value: string | string[] | undefined): string {
  if (value === undefined) return '(not set)';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  return value === '' ? '(empty)' : value;
}

interface VerboseWindowState {
  readonly previous: number;
  readonly until: number;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Raises a server's verbose level for a while and restores the level it had before, once; asking
 * again while a window is open extends it but keeps the original level to go back to.
 */
export class VerboseWindows {
  private readonly open = new Map<string, VerboseWindowState>();
  private readonly listeners = new Set<(serverId: string) => void>();

  constructor(private readonly onRestoreError: (serverId: string, error: unknown) => void = () => undefined) {}

  onDidChange(listener: (serverId: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Milliseconds left in the server's window, or undefined when none is open. */
  remaining(serverId: string): number | undefined {
    const w = this.open.get(serverId);
    return w === undefined ? undefined : Math.max(0, w.until - Date.now());
  }

  async start(serverId: string, client: SettingsClient, durationMs = 60_000, level = 1): Promise<{ previous: number }> {
    const existing = this.open.get(serverId);
    const previous = existing?.previous ?? (await client.getLogSettings()).log_verbose_level;
    await client.updateLogSettings({ log_verbose_level: Math.max(level, previous) });
    if (existing !== undefined) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      void this.restore(serverId, client).catch((error: unknown) => this.onRestoreError(serverId, error));
    }, durationMs);
    timer.unref?.();
    this.open.set(serverId, { previous, until: Date.now() + durationMs, timer });
    this.emit(serverId);
    return { previous };
  }

  /** Puts the level back now; nothing happens when no window is open. */
  async restore(serverId: string, client: SettingsClient): Promise<void> {
    const w = this.open.get(serverId);
    if (w === undefined) return;
    clearTimeout(w.timer);
    this.open.delete(serverId);
    this.emit(serverId);
    await client.updateLogSettings({ log_verbose_level: w.previous });
  }

  dispose(): void {
    for (const w of this.open.values()) clearTimeout(w.timer);
    this.open.clear();
  }

  private emit(serverId: string): void {
    for (const l of [...this.listeners]) l(serverId);
  }
}
