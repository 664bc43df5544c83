// The launcher runs the reference server through the "custom command" preset (the path the demo and
// the extension use), its output is parsed as Triton's log, live settings change what it prints, and
// Stop ends it with SIGINT (or SIGKILL after the grace period).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { LogEntry } from '../../../src/logs/logParser';
import { LogPipeline } from '../../../src/logs/logPipeline';
import { VerboseWindows, logSettingUpdate, readServerSettings, traceSettingUpdate } from '../../../src/services/liveSettings';
import { LaunchedServer, pickPorts } from '../../../src/services/serverLauncher';
import type { LaunchState } from '../../../src/services/serverLauncher';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/client';

const ROOT = join(__dirname, '..', '..', '..');
const REFERENCE = ['${node}', join(ROOT, 'test', 'server', 'run.mjs'), '--model-repository', '${repository}', '--http-port', '${httpPort}', '--grpc-port', '${grpcPort}', '--metrics-port', '${metricsPort}'];
const REPOSITORY = join(ROOT, 'test', 'server', 'models');

/** A pipeline whose batches are collected, with a way to wait for an entry. */
function collector(): { pipeline: LogPipeline; entries: LogEntry[]; waitFor(pred: (e: LogEntry) => boolean, what: string, ms?: number): Promise<LogEntry> } {
  const entries: LogEntry[] = [];
  const waiters = new Set<() => void>();
  const pipeline = new LogPipeline({ maxLines: 10_000, batchMs: 20, onBatch: (batch) => {
    entries.push(...batch);
    for (const w of [...waiters]) w();
  } });
  return {
    pipeline,
    entries,
    waitFor: (pred, what, ms = 20_000) => new Promise((resolve, reject) => {
      const check = (): void => {
        const found = entries.find(pred);
        if (found === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no log entry for ${what} within ${ms} ms; last entries:\n${entries.slice(-15).map((e) => `${e.severity} ${e.message}`).join('\n')}`));
      }, ms);
      waiters.add(check);
      check();
    }),
  };
}

async function launchReference(sink: LogPipeline, graceMs = 10_000): Promise<LaunchedServer> {
  const ports = await pickPorts({ http: 0, grpc: 0, metrics: 0 });
  return LaunchedServer.start({ preset: 'custom', repository: REPOSITORY, ports, command: REFERENCE }, { serverName: 'launched', sink, cwd: ROOT, graceMs });
}

describe('server launcher with the reference server', { timeout: 120_000 }, () => {
  it('starts the server, parses its log (with the broken_config load failure), and stops it with SIGINT', async () => {
    const log = collector();
    const server = await launchReference(log.pipeline);
    const states: LaunchState['kind'][] = [];
    server.onDidChange((s) => states.push(s.kind));
    try {
      await server.whenRunning(30_000);
      const failure = await log.waitFor((e) => e.loadFailure === true, 'the broken_config failure');
      assert.equal(failure.model, 'broken_config');
      assert.equal(failure.severity, 'error');
      assert.match(failure.message, /failed to load 'broken_config' version 1: .*dimension must be integer >= 1/);
      assert.match(failure.source ?? '', /^model_lifecycle\.cc:\d+$/);
      const table = await log.waitFor((e) => e.message.includes('| Model') && e.message.includes('broken_config'), 'the Model table');
      assert.equal(table.severity, 'info');
      assert.ok(table.message.split('\n').length > 5, 'the table is one multi-line entry');
      const probe = await fetch(`${server.command.httpUrl}/v2/health/live`);
      assert.equal(probe.status, 200);
    } finally {
      await server.stop();
      log.pipeline.dispose();
    }
    assert.deepEqual(states, ['running', 'stopping', 'exited']);
    const end = server.state;
    assert.equal(end.kind, 'exited');
    assert.ok(end.kind === 'exited' && end.expected && end.code === 0, JSON.stringify(end));
    log.pipeline.flushNow();
    assert.ok(log.entries.some((e) => e.message === 'Waiting for in-flight requests to complete.'), 'Triton-style shutdown after SIGINT');
    await assert.rejects(fetch(`${server.command.httpUrl}/v2/health/live`));
  });

  for (const transport of ['http', 'grpc'] as const) {
    it(`changes log settings live over ${transport}: the next lines use the new format; verbose-for-a-while restores the level`, async () => {
      const log = collector();
      const server = await launchReference(log.pipeline);
      let client: TritonClient | undefined;
      try {
        await server.whenRunning(30_000);
        client = createTritonClient({ url: transport === 'http' ? server.command.httpUrl : server.command.grpcUrl, protocol: transport, deadlineMs: 20_000 });
        const before = await readServerSettings(client);
        assert.equal(before.log?.log_format, 'default');
        assert.equal(before.log?.log_verbose_level, 0);
        assert.ok(before.trace !== undefined, `trace settings: ${before.traceProblem ?? ''}`);

        const after = await client.updateLogSettings(logSettingUpdate('log_format', 'ISO8601'));
        assert.equal(after.log_format, 'ISO8601');
        await client.unloadModel('simple_int8');
        const iso = await log.waitFor((e) => e.model === 'simple_int8' && /unloaded/.test(e.message), 'the unload line');
        assert.match(iso.time ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'an ISO8601 line parsed');

        const globalRate = String((await client.getTraceSettings()).trace_rate);
        const perModel = await client.updateTraceSettings(traceSettingUpdate('trace_rate', '77', true), 'simple');
        assert.equal(perModel.trace_rate, '77');
        assert.equal((await client.getTraceSettings()).trace_rate, globalRate, 'a per-model change stays per model');
        assert.deepEqual((await client.updateTraceSettings(traceSettingUpdate('trace_level', 'timestamps', true), 'simple')).trace_level, ['TIMESTAMPS']);
        assert.equal((await client.updateTraceSettings(traceSettingUpdate('trace_rate', '', true), 'simple')).trace_rate, globalRate, 'cleared back to the global value');

        const windows = new VerboseWindows();
        const { previous } = await windows.start('launched', client, 400);
        assert.equal(previous, 0);
        assert.equal((await client.getLogSettings()).log_verbose_level, 1);
        assert.ok((windows.remaining('launched') ?? 0) > 0);
        const deadline = Date.now() + 10_000;
        while ((await client.getLogSettings()).log_verbose_level !== 0) {
          assert.ok(Date.now() < deadline, 'the verbose level was not restored');
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(windows.remaining('launched'), undefined);
        windows.dispose();
      } finally {
        await client?.close();
        await server.stop();
        log.pipeline.dispose();
      }
    });
  }

  it('sends SIGKILL when the process ignores SIGINT past the grace period', async () => {
    const log = collector();
    const stubborn = ['${node}', '-e', "process.on('SIGINT', () => console.log('ignoring SIGINT')); console.log('up'); setInterval(() => {}, 1000)"];
    const ports = await pickPorts({ http: 0, grpc: 0, metrics: 0 });
    const server = await LaunchedServer.start({ preset: 'custom', repository: REPOSITORY, ports, command: stubborn }, { serverName: 'x', sink: log.pipeline, graceMs: 500 });
    await log.waitFor((e) => e.message === 'up', 'the process to start');
    const started = Date.now();
    await server.stop();
    assert.ok(Date.now() - started >= 450, 'waited for the grace period');
    assert.ok(server.state.kind === 'exited' && server.state.signal === 'SIGKILL', JSON.stringify(server.state));
    log.pipeline.flushNow();
    assert.ok(log.entries.some((e) => e.message === 'ignoring SIGINT'));
    assert.ok(log.entries.some((e) => e.severity === 'notice' && /SIGKILL/.test(e.message)));
    log.pipeline.dispose();
  });

  it('a process that exits before it is live fails whenRunning with its exit code; a missing program fails start', async () => {
    const log = collector();
    const ports = await pickPorts({ http: 0, grpc: 0, metrics: 0 });
    const server = await LaunchedServer.start({ preset: 'custom', repository: REPOSITORY, ports, command: ['${node}', '-e', 'console.error("error: creating server: Internal - failed to load all models"); process.exit(1)'] }, { serverName: 'x', sink: log.pipeline });
    await assert.rejects(server.whenRunning(20_000), /exited before it was live \(exit code 1\)/);
    await log.waitFor((e) => /failed to load all models/.test(e.message), 'the error line');
    await assert.rejects(
      LaunchedServer.start({ preset: 'local', repository: REPOSITORY, ports, binary: join(ROOT, 'no-such-tritonserver') }, { serverName: 'x', sink: log.pipeline }),
      /cannot start .*no-such-tritonserver: spawn .* ENOENT/,
    );
    log.pipeline.dispose();
  });
});
