// The test host's process handling with real processes: output lines are awaited, failures carry the
// output, and stop() takes down the whole process group, grandchildren included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess } from '../host/processes';

const node = process.execPath;

/** Running, as opposed to gone or a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('waitForLine resolves with the match of a line printed later', async () => {
  const p = startProcess(node, ['-e', 'setTimeout(() => console.log("ready port=4242"), 100); setInterval(() => {}, 1000);']);
  try {
    const m = await p.waitForLine(/ready port=(\d+)/, 5_000);
    assert.equal(m[1], '4242');
  } finally {
    await p.stop();
  }
});

test('waitForLine rejects with the output when the process exits first', async () => {
  const p = startProcess(node, ['-e', 'console.error("boom: config broken"); process.exit(3);']);
  await assert.rejects(p.waitForLine(/ready/, 5_000), (error: Error) => {
    assert.match(error.message, /exited \(3\)/);
    assert.match(error.message, /boom: config broken/);
    return true;
  });
});

test('waitForLine rejects on its deadline', async () => {
  const p = startProcess(node, ['-e', 'setInterval(() => {}, 1000);']);
  try {
    const started = Date.now();
    await assert.rejects(p.waitForLine(/never/, 200), /did not print/);
    assert.ok(Date.now() - started < 2_000);
  } finally {
    await p.stop();
  }
});

test('stop kills the whole process group, including a grandchild that ignores SIGTERM', async () => {
  const script = `
    const { spawn } = require('node:child_process');
    const g = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);'], { stdio: 'ignore' });
    console.log('grandchild=' + g.pid);
    setInterval(() => {}, 1000);`;
  const p = startProcess(node, ['-e', script]);
  const m = await p.waitForLine(/grandchild=(\d+)/, 5_000);
  const grandchild = Number(m[1]);
  assert.ok(alive(grandchild));
  await p.stop();
  const deadline = Date.now() + 5_000;
  while (alive(grandchild) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  assert.equal(alive(grandchild), false, 'grandchild survived stop()');
});

test('waitForExit reports the exit code', async () => {
  const p = startProcess(node, ['-e', 'process.exit(7)']);
  assert.equal(await p.waitForExit(5_000), 7);
});

test('a Ctrl-C to a program using the host takes down its process groups and temporary folders', async () => {
  const script = `
    const { makeTempDir, startProcess } = require(${JSON.stringify(join(__dirname, '../host/processes.ts'))});
    const dir = makeTempDir('triton-sigint-check');
    const child = startProcess(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);']);
    console.log('ready dir=' + dir.path + ' child=' + child.pid);
    setInterval(() => {}, 1000);`;
  const program = startProcess(process.execPath, ['--import', 'tsx', '-e', script]);
  const m = await program.waitForLine(/ready dir=(\S+) child=(\d+)/, 15_000);
  const [dir, child] = [m[1]!, Number(m[2])];
  assert.ok(existsSync(dir) && alive(child));
  process.kill(program.pid, 'SIGINT');
  assert.equal(await program.waitForExit(10_000), 130);
  assert.equal(existsSync(dir), false, 'the temporary folder outlived the program');
  assert.equal(alive(child), false, 'the child outlived the program');
});
