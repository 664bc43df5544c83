import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClientOptions } from '../../../src/triton/clientTypes';
import { TritonError } from '../../../src/triton/errors';
import type { TritonErrorKind } from '../../../src/triton/errors';

// gzip allows members back to back; 64 members of 16 MiB of zeros: 1 GiB inflated, about 1 MB on the wire.
const MEMBER = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
const BOMB = Buffer.concat(Array.from({ length: 64 }, () => MEMBER));

const metadata = Buffer.from(JSON.stringify({ name: 'triton', version: '2.59.1', extensions: [] }));

/** A hostile server: every answer is gzip whatever the request accepted; /v2 is honest, the rest a bomb. */
let server: http.Server;
let url: string;
const sockets = new Set<Socket>();
before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.url === '/v2' ? gzipSync(metadata) : BOMB;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length });
      res.end(body);
    });
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(options: Partial<TritonClientOptions> = {}): ReturnType<typeof createTritonClient> {
  return createTritonClient({ url, protocol: 'http', deadlineMs: 10_000, ...options });
}

async function rejection(promise: Promise<unknown>, kind: TritonErrorKind): Promise<TritonError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TritonError, `expected a TritonError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  assert.fail(`expected a '${kind}' TritonError`);
}

/** Highest RSS seen while `run` goes on, sampled every few milliseconds, above the RSS before it. */
async function peakRssGrowth<T>(run: () => Promise<T>): Promise<{ growth: number; outcome: PromiseSettledResult<T> }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 2);
  const [outcome] = await Promise.allSettled([run()]);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { growth: peak - start, outcome };
}

const MB = 1024 * 1024;

test('a gzip answer inflating to 1 GiB fails with the inflation limit, with memory far below it', async () => {
  assert.ok(BOMB.length < 1.1 * MB, `the bomb is ${BOMB.length} bytes on the wire`);
  const hostile = client();
  const input = [{ name: 'I', datatype: 'INT32' as const, shape: [1], data: [1] }];
  const started = Date.now();
  const { growth, outcome } = await peakRssGrowth(() => hostile.infer('m', input, undefined, { acceptCompression: 'gzip' }));
  assert.equal(outcome.status, 'rejected');
  const error = (outcome as PromiseRejectedResult).reason as TritonError;
  assert.ok(error instanceof TritonError);
  assert.equal(error.kind, 'protocol');
  assert.equal(error.message, 'POST /v2/models/m/infer: the answer inflates past 64 MB (the limit for a gzip answer)');
  assert.ok(growth < 100 * MB, `RSS grew by ${(growth / MB).toFixed(0)} MB`);
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  // A smaller client cap wins, and the cap never exceeds maxResponseBytes.
  const tight = client({ maxInflatedBytes: 8 * MB });
  assert.match((await rejection(tight.infer('m', input, undefined, { acceptCompression: 'gzip' }), 'protocol')).message, /inflates past 8 MB/);
  const capped = client({ maxResponseBytes: 4 * MB, maxInflatedBytes: 512 * MB });
  assert.match((await rejection(capped.infer('m', input, undefined, { acceptCompression: 'gzip' }), 'protocol')).message, /inflates past 4 MB/);
  await Promise.all([hostile.close(), tight.close(), capped.close()]);
});

test('a compressed answer is refused unless the request accepted that encoding', async () => {
  const c = client();
  // The client sends no Accept-Encoding of its own.
  const refused = await rejection(c.serverMetadata(), 'protocol');
  assert.equal(refused.message, 'GET /v2: the server sent a gzip-compressed answer although the request did not accept one');
  assert.match((await rejection(c.serverMetadata({ headers: { 'Accept-Encoding': 'deflate, gzip;q=0' } }), 'protocol')).message, /did not accept one/);
  assert.equal((await c.serverMetadata({ headers: { 'Accept-Encoding': 'deflate, gzip;q=0.5' } })).version, '2.59.1');
  const events = async (): Promise<void> => {
    for await (const event of c.generateStream('m', { text_input: 'x' })) assert.fail(`unexpected event ${JSON.stringify(event)}`);
  };
  assert.match((await rejection(events(), 'protocol')).message, /event stream came gzip-compressed although the request did not accept compression/);
  const accepting = client({ headers: { 'accept-encoding': 'gzip' } });
  assert.equal((await accepting.serverMetadata()).name, 'triton');
  await Promise.all([c.close(), accepting.close()]);
});

/**
 * RSS growth and process CPU time in the `ms` after a call ended: both near zero when the inflation
 * stopped with the call (the CPU figure also catches inflation into memory freed by earlier tests).
 */
async function activityAfter(ms: number): Promise<{ growth: number; cpuMs: number }> {
  const start = process.memoryUsage.rss();
  const cpu = process.cpuUsage();
  let peak = start;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  const used = process.cpuUsage(cpu);
  return { growth: peak - start, cpuMs: (used.user + used.system) / 1000 };
}

test('inflation stops with the call: at the deadline, on abort and on close()', async () => {
  // A cap above the bomb, so only the end of the call can stop the inflation.
  const options = { maxInflatedBytes: 1536 * MB, acceptCompression: 'gzip' as const };
  const input = [{ name: 'I', datatype: 'INT32' as const, shape: [1], data: [1] }];

  const timed = client({ maxInflatedBytes: options.maxInflatedBytes, deadlineMs: 60 });
  await rejection(timed.infer('m', input, undefined, options), 'deadline');
  const afterDeadline = await activityAfter(400);

  const aborting = client({ maxInflatedBytes: options.maxInflatedBytes });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 60);
  await rejection(aborting.infer('m', input, undefined, { ...options, signal: controller.signal }), 'cancelled');
  const afterAbort = await activityAfter(400);

  const closing = client({ maxInflatedBytes: options.maxInflatedBytes });
  const running = closing.infer('m', input, undefined, options);
  setTimeout(() => void closing.close(), 60);
  await rejection(running, 'cancelled');
  const afterClose = await activityAfter(400);

  for (const [when, { growth, cpuMs }] of [['deadline', afterDeadline], ['abort', afterAbort], ['close()', afterClose]] as const) {
    assert.ok(growth < 48 * MB, `RSS grew by ${(growth / MB).toFixed(0)} MB after the ${when}`);
    assert.ok(cpuMs < 60, `${cpuMs.toFixed(0)} ms of CPU went on after the ${when}`);
  }
  await Promise.all([timed.close(), aborting.close()]);
});
