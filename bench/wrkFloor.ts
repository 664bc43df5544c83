// The native floor: wrk (Debian's apt) sending the exact request bytes the client sends, with
// keep-alive, at the same concurrency. A floor written in Node would be slow in the same ways as the
// client and hide its overhead; wrk is what the server can answer when the caller costs next to nothing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkRun {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Us: number;
  p99Us: number;
  /** Non-2xx answers and socket errors: any of them voids the run. */
  errors: number;
}

export interface WrkFloor {
  /** Runs wrk for `durationMs` with `connections` keep-alive connections. */
  run(connections: number, durationMs: number): Promise<WrkRun>;
  close(): void;
}

/** Why wrk cannot run here, or undefined when it can. */
export function wrkMissing(): string | undefined {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error !== undefined) {
    return `wrk is not installed (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}); install it with 'apt-get install -y wrk' (scripts/setup-host.mjs does) for the native floor`;
  }
  return undefined;
}

/** A Lua string literal holding arbitrary bytes: every byte outside printable ASCII as a decimal escape. */
function luaBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${String(b).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function luaScript(body: Uint8Array, headers: Record<string, string>): string {
  const lines = [
    'wrk.method = "POST"',
    `wrk.body = ${luaBytes(body)}`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${luaBytes(Buffer.from(k))}] = ${luaBytes(Buffer.from(v))}`),
    // One JSON line at the end, so the figures are read exactly instead of scraped from wrk's table.
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format("WRK_JSON {\\"requests\\":%d,\\"us\\":%d,\\"p50\\":%d,\\"p99\\":%d,\\"errors\\":%d}\\n",',
    '    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),',
    '    e.connect + e.read + e.write + e.status + e.timeout))',
    'end',
  ];
  return `${lines.join('\n')}\n`;
}

/** A floor that POSTs `body` to `url` + `path`; the Lua script lives in a temporary folder until close(). */
export function wrkFloor(url: string, path: string, body: Uint8Array, headers: Record<string, string>): WrkFloor {
  const dir = mkdtempSync(join(tmpdir(), 'tw-wrk-'));
  const script = join(dir, 'post.lua');
  writeFileSync(script, luaScript(body, headers));
  const target = new URL(path, url).toString();
  return {
    run: (connections, durationMs) => new Promise<WrkRun>((resolve, reject) => {
      // wrk takes whole seconds; the measured duration comes back from the script.
      const seconds = Math.max(1, Math.round(durationMs / 1000));
      const threads = Math.min(2, connections);
      const child = spawn('wrk', ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s', '-s', script, target], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
      child.stderr.setEncoding('utf8').on('data', (s: string) => { out += s; });
      const limit = setTimeout(() => child.kill('SIGKILL'), durationMs + 30_000);
      child.on('error', (error) => { clearTimeout(limit); reject(error); });
      child.on('close', (code) => {
        clearTimeout(limit);
        const m = /WRK_JSON (\{.*\})/.exec(out);
        if (code !== 0 || m === null) {
          reject(new Error(`wrk exited with ${code}: ${out.slice(-500)}`));
          return;
        }
        const j = JSON.parse(m[1]!) as { requests: number; us: number; p50: number; p99: number; errors: number };
        const secs = j.us / 1e6;
        resolve({ requests: j.requests, seconds: secs, perSecond: j.requests / secs, p50Us: j.p50, p99Us: j.p99, errors: j.errors });
      });
    }),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
