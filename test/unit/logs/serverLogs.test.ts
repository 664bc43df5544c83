import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followCommand } from '../../../src/logs/processSource';
import type { LogSink } from '../../../src/logs/logSource';
import { openLogSource, resolveLogPath, ServerLogRegistry, withLogSource } from '../../../src/services/serverLogs';

function sink(): LogSink & { got: string[]; notes: string[] } {
  const got: string[] = [];
  const notes: string[] = [];
  return { got, notes, lines: (l) => got.push(...l), notice: (n) => notes.push(n) };
}

const until = async (pred: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('a log command is refused in an untrusted workspace, before anything runs', async () => {
  const s = sink();
  await assert.rejects(openLogSource({ kind: 'command', command: [process.execPath, '-e', 'console.log(1)'] }, s, { trusted: false, home: tmpdir() }), /only in a trusted workspace/);
  assert.deepEqual(s.got, []);
});

test('a log command runs without a shell; both streams arrive; stop ends it; a missing program is a clear error', async () => {
  const s = sink();
  const tail = await followCommand([process.execPath, '-e', 'console.log("out $HOME; rm -rf /"); console.error("err line"); setInterval(() => {}, 1000)'], s);
  await until(() => s.got.length >= 2, 'two lines');
  assert.deepEqual([...s.got].sort(), ['err line', 'out $HOME; rm -rf /']);
  await tail.stop();
  await assert.rejects(followCommand(['/nonexistent/docker', 'logs', '-f', 'x'], s), /cannot run \/nonexistent\/docker: spawn .*ENOENT/);
  await assert.rejects(followCommand([], s), /non-empty array/);
});

test('a command that ends says so in the log', async () => {
  const s = sink();
  await followCommand([process.execPath, '-e', 'console.log("bye"); process.exit(3)'], s);
  await until(() => s.notes.some((n) => /ended \(exit code 3\)/.test(n)), 'the end notice');
  assert.deepEqual(s.got, ['bye']);
});

test('relative log paths start at the workspace folder, ~/ at home', () => {
  assert.equal(resolveLogPath('logs/triton.log', '/ws', '/home/u'), '/ws/logs/triton.log');
  assert.equal(resolveLogPath('~/t.log', '/ws', '/home/u'), '/home/u/t.log');
  assert.equal(resolveLogPath('/var/log/t.log', '/ws', '/home/u'), '/var/log/t.log');
});

test('the registry opens a configured file once, and says when a server has no source', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 't.log'), 'I1206 10:00:00.000001 1 a.cc:1] "loading: m:1"\n');
  const registry = new ServerLogRegistry(100);
  t.after(() => registry.dispose());
  const server = { name: 's', httpUrl: 'http://h:1', protocol: 'http' as const, log: { kind: 'file' as const, file: 't.log', tailLines: 10 } };
  assert.equal(await registry.ensureSource(server, { trusted: false, cwd: dir, home: dir }), true);
  assert.equal(await registry.ensureSource(server, { trusted: false, cwd: dir, home: dir }), true);
  await until(() => (registry.get('s')!.flush(), registry.get('s')!.history().length === 1), 'the line');
  assert.equal(registry.get('s')!.history()[0]!.model, 'm');
  assert.equal(await registry.ensureSource({ name: 'none', httpUrl: 'http://h:1', protocol: 'http' }, { trusted: true, home: dir }), false);
});

test('a log source is written into the server entry, other keys kept; unknown servers are refused', () => {
  const raw = [{ name: 'a', httpUrl: 'http://a:1', extra: true }, { name: 'b', httpUrl: 'http://b:1' }];
  assert.deepEqual(withLogSource(raw, 'a', { file: '/x.log' }), [{ name: 'a', httpUrl: 'http://a:1', extra: true, log: { file: '/x.log' } }, raw[1]]);
  assert.throws(() => withLogSource(raw, 'c', { file: '/x' }), /not in triton.servers/);
  assert.throws(() => withLogSource({}, 'a', { file: '/x' }), /not a list/);
});
