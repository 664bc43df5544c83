import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logSettingUpdate, traceSettingUpdate, VerboseWindows } from '../../../src/services/liveSettings';
import type { SettingsClient } from '../../../src/services/liveSettings';
import type { LogSettings, LogSettingsUpdate } from '../../../src/triton/types';
import { parseLogSource, parseServerSettings, serverToSetting } from '../../../src/services/serverConfig';

test('log settings from user input: typed values Triton accepts, clear errors otherwise', () => {
  assert.deepEqual(logSettingUpdate('log_verbose_level', ' 2 '), { log_verbose_level: 2 });
  assert.deepEqual(logSettingUpdate('log_info', 'false'), { log_info: false });
  assert.deepEqual(logSettingUpdate('log_format', 'ISO8601'), { log_format: 'ISO8601' });
  assert.throws(() => logSettingUpdate('log_verbose_level', '-1'), /whole number of 0 or more/);
  assert.throws(() => logSettingUpdate('log_format', 'iso8601'), /case matters/);
  assert.throws(() => logSettingUpdate('log_error', 'yes'), /true or false/);
  assert.throws(() => logSettingUpdate('log_file', '/tmp/x'), /--log-file/);
});

test('trace settings from user input are strings; empty clears a per-model value', () => {
  assert.deepEqual(traceSettingUpdate('trace_rate', '100', false), { trace_rate: '100' });
  assert.deepEqual(traceSettingUpdate('trace_count', '-1', false), { trace_count: '-1' });
  assert.deepEqual(traceSettingUpdate('trace_level', 'timestamps, tensors', false), { trace_level: ['TIMESTAMPS', 'TENSORS'] });
  assert.deepEqual(traceSettingUpdate('log_frequency', '', true), { log_frequency: null });
  assert.throws(() => traceSettingUpdate('trace_rate', '', false), /needs a value/);
  assert.throws(() => traceSettingUpdate('trace_level', 'OFF TENSORS', false), /OFF cannot be combined/);
  assert.throws(() => traceSettingUpdate('trace_level', 'LOUD', false), /unknown trace level LOUD/);
  assert.throws(() => traceSettingUpdate('trace_count', '-2', false), /-1 \(no limit\)/);
});

/** An in-memory server holding log settings, recording every update it is sent. */
function fakeServer(level: number): SettingsClient & { updates: LogSettingsUpdate[]; settings: LogSettings } {
  const settings: LogSettings = { log_file: '', log_info: true, log_warning: true, log_error: true, log_verbose_level: level, log_format: 'default' };
  const updates: LogSettingsUpdate[] = [];
  return {
    settings,
    updates,
    getLogSettings: () => Promise.resolve({ ...settings }),
    updateLogSettings: (u) => {
      updates.push(u);
      Object.assign(settings, u);
      return Promise.resolve({ ...settings });
    },
    getTraceSettings: () => Promise.resolve({}),
    updateTraceSettings: () => Promise.resolve({}),
  };
}

test('verbose window: a second start extends it but restores the level from before the first', async () => {
  const server = fakeServer(0);
  const windows = new VerboseWindows();
  await windows.start('s', server, 150);
  server.settings.log_verbose_level = 1;
  await windows.start('s', server, 150);
  assert.equal(server.settings.log_verbose_level, 1);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(server.settings.log_verbose_level, 0);
  assert.equal(windows.remaining('s'), undefined);
  // An already higher level is kept while verbose, and comes back afterwards.
  const loud = fakeServer(3);
  await windows.start('l', loud, 10_000);
  assert.equal(loud.settings.log_verbose_level, 3);
  await windows.restore('l', loud);
  assert.deepEqual(loud.updates.at(-1), { log_verbose_level: 3 });
  windows.dispose();
});

test('log sources in triton.servers: file or command, bad ones reported and the server kept', () => {
  const parsed = parseServerSettings([
    { name: 'a', httpUrl: 'http://a:8000', log: { file: '/var/log/triton.log', tailLines: 50 } },
    { name: 'b', httpUrl: 'http://b:8000', log: { command: ['docker', 'logs', '-f', 'triton'] } },
    { name: 'c', httpUrl: 'http://c:8000', log: { command: 'docker logs -f triton' } },
    { name: 'd', httpUrl: 'http://d:8000', log: { file: '/x', tailLines: -5 } },
  ]);
  assert.deepEqual(parsed.servers.map((s) => s.log), [
    { kind: 'file', file: '/var/log/triton.log', tailLines: 50 },
    { kind: 'command', command: ['docker', 'logs', '-f', 'triton'] },
    undefined,
    undefined,
  ]);
  assert.match(parsed.problems.join('\n'), /triton\.servers\[2\] \(c\): log ignored: "command" must be a non-empty array/);
  assert.match(parsed.problems.join('\n'), /triton\.servers\[3\] \(d\): log ignored: "tailLines" must be a whole number/);
  assert.deepEqual(parseLogSource({ file: '/x' }), { kind: 'file', file: '/x', tailLines: 1000 });
  assert.match(String(parseLogSource({ file: '/x', command: ['a'] })), /not both/);
  assert.deepEqual(serverToSetting(parsed.servers[0]!).log, { file: '/var/log/triton.log', tailLines: 50 });
});
