// Triton-format log lines (default and ISO8601) to stdout/stderr or to --log-file, with runtime settings.
import { openSync, writeSync } from 'node:fs';

export type LogFormat = 'default' | 'ISO8601';

export interface LogSettings {
  log_file: string;
  log_info: boolean;
  log_warning: boolean;
  log_error: boolean;
  log_verbose_level: number;
  log_format: LogFormat;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export class Logger {
  readonly settings: LogSettings;

  constructor(settings: Partial<LogSettings> = {}) {
    this.settings = { log_file: '', log_info: true, log_warning: true, log_error: true, log_verbose_level: 0, log_format: 'default', ...settings };
  }

  prefix(level: 'I' | 'W' | 'E', source: string, epochMicros = Math.floor((performance.timeOrigin + performance.now()) * 1000)): string {
    const now = new Date(Math.floor(epochMicros / 1000));
    const micros = pad(epochMicros % 1_000_000, 6);
    if (this.settings.log_format === 'ISO8601') {
      const date = `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())}`;
      const time = `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}`;
      return `${date}T${time}Z ${level} ${process.pid} ${source}]`;
    }
    const time = `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}.${micros}`;
    return `${level}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())} ${time} ${process.pid} ${source}]`;
  }

  private fd: number | undefined;

  private write(level: 'I' | 'W' | 'E', source: string, body: string): void {
    const line = `${this.prefix(level, source)} ${body}\n`;
    if (this.settings.log_file) {
      try {
        // One descriptor in append mode, opened on first use; each line is one write.
        this.fd ??= openSync(this.settings.log_file, 'a');
        writeSync(this.fd, line);
      } catch {
        process.stderr.write(line);
      }
    } else if (level === 'I') {
      process.stdout.write(line);
    } else {
      process.stderr.write(line);
    }
  }

  /** Messages are written as JSON string literals, as Triton does since 24.06. */
  info(source: string, message: string): void {
    if (this.settings.log_info) this.write('I', source, JSON.stringify(message));
  }

  warning(source: string, message: string): void {
    if (this.settings.log_warning) this.write('W', source, JSON.stringify(message));
  }

  error(source: string, message: string): void {
    if (this.settings.log_error) this.write('E', source, JSON.stringify(message));
  }

  verbose(level: number, source: string, message: string): void {
    if (this.settings.log_verbose_level >= level) this.write('I', source, JSON.stringify(message));
  }

  /** Tables are not escaped: the prefix ends the first line and the table follows. */
  table(source: string, headers: string[], rows: string[][]): void {
    if (!this.settings.log_info) return;
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
    const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
    const text = ['', rule, line(headers), rule, ...rows.map(line), rule, ''].join('\n');
    this.write('I', source, text);
  }
}
