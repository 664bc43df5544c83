// The client bench's result table: one row per measure, printed as Markdown at the end.

export interface Row {
  measure: string;
  value: string;
  p50: string;
  p99: string;
  cpu: string;
  floor: string;
  ratio: string;
  target: string;
}

/** Rows in the order measured; printed once at the end. */
export const rows: Row[] = [];
/** Lines printed above the table (what could not be measured, and why). */
export const notes: string[] = [];

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

export function signed(n: number): string {
  return `${n >= 0 ? '+' : ''}${fmt(n, 1)}`;
}

export function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? ' (met)' : ' (NOT met)';
}

export function printTable(): void {
  const head: Row = { measure: 'measure', value: 'value', p50: 'p50 µs', p99: 'p99 µs', cpu: 'CPU µs/req', floor: 'floor', ratio: 'ratio', target: 'target' };
  const keys = Object.keys(head) as (keyof Row)[];
  const widths = keys.map((k) => Math.max(...[head, ...rows].map((r) => r[k].length)));
  const line = (r: Row): string => `| ${keys.map((k, i) => r[k].padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}
