import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { gunzipSync, gzipSync, deflateSync } from 'node:zlib';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { TritonError } from '../../../src/triton/errors';
import type { TritonErrorKind } from '../../../src/triton/errors';
import { bytesToStrings } from '../../../src/triton/bytesCodec';
import { buildInferBody } from '../../../src/triton/http/inferBody';
import { parseHttpUrl } from '../../../src/triton/http/httpPaths';
import type { Handler, StubServer } from './stubHttpServer';
import { sendBinary, sendJson, startStubServer } from './stubHttpServer';

// One server for the file; each test installs the handler it needs.
let handler: Handler = (_req, res) => sendJson(res, 500, { error: 'no handler' });
let server: StubServer;
let client: TritonClient;

before(async () => {
  server = await startStubServer((req, res, raw) => handler(req, res, raw));
  client = createTritonClient({ url: server.hostPort, protocol: 'http', deadlineMs: 5000 });
});
after(async () => {
  await client.close();
  await server.close();
});

async function rejectsWith(promise: Promise<unknown>, kind: TritonErrorKind, pattern?: RegExp): Promise<TritonError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TritonError, `expected a TritonError, got ${String(error)}`);
    assert.equal(error.kind, kind, `kind of "${error.message}"`);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a '${kind}' TritonError`);
}

function int32le(values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeInt32LE(v, i * 4));
  return out;
}

test('URLs: host:port, schemes, base paths and IPv6', () => {
  assert.deepEqual(parseHttpUrl('localhost:8000', false), { secure: false, hostname: 'localhost', port: 8000, basePath: '' });
  assert.deepEqual(parseHttpUrl('https://h/triton/', false), { secure: true, hostname: 'h', port: 443, basePath: '/triton' });
  assert.deepEqual(parseHttpUrl('[::1]:9/a/b', true), { secure: true, hostname: '::1', port: 9, basePath: '/a/b' });
  // TLS options never override an explicit scheme.
  assert.deepEqual(parseHttpUrl('http://h:8000', true), { secure: false, hostname: 'h', port: 8000, basePath: '' });
  assert.throws(() => parseHttpUrl('grpc://h:1', false), (e: unknown) => e instanceof TritonError && e.kind === 'invalid-argument');
  assert.throws(() => parseHttpUrl('', false), TritonError);
});

test('health calls answer booleans from the status code', async () => {
  handler = (req, res) => {
    res.writeHead(req.url === '/v2/health/live' ? 200 : 400, { 'content-length': 0 });
    res.end();
  };
  assert.equal(await client.isServerLive(), true);
  assert.equal(await client.isServerReady(), false);
  handler = (_req, res) => sendJson(res, 400, { error: 'Model version not ready' }, 'text/plain');
  assert.equal(await client.isModelReady('m', { version: 3 }), false);
  assert.equal(server.received.at(-1)!.url, '/v2/models/m/versions/3/ready');
});

test('metadata, config, index, statistics and settings are fetched from the documented paths', async () => {
  const answers: Record<string, unknown> = {
    'GET /v2': { name: 'triton', version: '2.59.1', extensions: ['binary_tensor_data'] },
    'GET /v2/models/simple': { name: 'simple', versions: ['1'], platform: 'onnxruntime_onnx', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [-1, 16] }], outputs: [] },
    'GET /v2/models/simple/versions/1/config': { name: 'simple', max_batch_size: 8 },
    'POST /v2/repository/index': [{ name: 'a', version: '1', state: 'READY' }, { name: 'b' }],
    'GET /v2/models/stats': { model_stats: [{ name: 'simple', version: '1', inference_count: 2, execution_count: 2 }] },
    'GET /v2/logging': { log_file: '', log_info: true, log_warning: true, log_error: true, log_verbose_level: 0, log_format: 'default' },
    'GET /v2/models/simple/trace/setting': { trace_level: ['OFF'], trace_rate: '1000' },
  };
  handler = (req, res) => {
    const answer = answers[`${req.method} ${req.url}`];
    if (answer === undefined) sendJson(res, 404, { error: 'Not Found' }, 'text/plain');
    else sendJson(res, 200, answer);
  };
  assert.deepEqual(await client.serverMetadata(), answers['GET /v2']);
  const meta = await client.modelMetadata('simple');
  assert.deepEqual(meta.inputs[0], { name: 'INPUT0', datatype: 'INT32', shape: [-1, 16] });
  assert.equal((await client.modelConfig('simple', { version: '1' })).max_batch_size, 8);
  assert.deepEqual(await client.repositoryIndex(), [{ name: 'a', version: '1', state: 'READY' }, { name: 'b' }]);
  assert.equal(server.received.at(-1)!.body.length, 0, 'index is asked with an empty body');
  await client.repositoryIndex({ ready: true });
  assert.equal(server.received.at(-1)!.body.toString(), '{"ready":true}');
  assert.equal((await client.modelStatistics())[0]!.inference_count, 2);
  assert.equal((await client.getLogSettings()).log_format, 'default');
  assert.deepEqual((await client.getTraceSettings('simple')).trace_level, ['OFF']);
  const missing = await rejectsWith(client.modelMetadata('nope'), 'not-found');
  assert.equal(missing.status, 404);
  assert.equal(missing.serverMessage, 'Not Found');
  assert.equal(missing.request, 'GET /v2/models/nope');
});

test('model control and shared-memory calls send the bodies Triton expects', async () => {
  handler = (_req, res) => { res.writeHead(200, { 'content-length': 0 }); res.end(); };
  await client.loadModel('m', { config: { max_batch_size: 4 }, files: { '1/model.onnx': new Uint8Array([1, 2, 3]) } });
  assert.equal(server.received.at(-1)!.url, '/v2/repository/models/m/load');
  assert.deepEqual(JSON.parse(server.received.at(-1)!.body.toString()), { parameters: { config: '{"max_batch_size":4}', 'file:1/model.onnx': 'AQID' } });
  await client.loadModel('m');
  assert.equal(server.received.at(-1)!.body.toString(), '{}');
  // Bodies are escaped like the Python client's (ASCII only) and carry bigints exactly.
  await client.loadModel('m', { config: { name: 'modèle', max_queue_delay_microseconds: 2n ** 63n - 1n } });
  assert.equal(server.received.at(-1)!.body.toString('latin1'),
    '{"parameters":{"config":"{\\"name\\":\\"mod\\\\u00E8le\\",\\"max_queue_delay_microseconds\\":9223372036854775807}"}}');
  await client.unloadModel('m');
  assert.equal(server.received.at(-1)!.body.toString(), '{"parameters":{"unload_dependents":false}}');
  await client.registerSystemSharedMemory('in', '/in_key', 128, 0);
  assert.equal(server.received.at(-1)!.url, '/v2/systemsharedmemory/region/in/register');
  assert.deepEqual(JSON.parse(server.received.at(-1)!.body.toString()), { key: '/in_key', offset: 0, byte_size: 128 });
  await client.unregisterSystemSharedMemory();
  assert.equal(server.received.at(-1)!.url, '/v2/systemsharedmemory/unregister');
  const handle = new Uint8Array(64).fill(7);
  await client.registerCudaSharedMemory('c', handle, 0, 64);
  assert.deepEqual(JSON.parse(server.received.at(-1)!.body.toString()), { raw_handle: { b64: Buffer.from(handle).toString('base64') }, device_id: 0, byte_size: 64 });
  await rejectsWith(client.registerCudaSharedMemory('c', new Uint8Array(10), 0, 64), 'invalid-argument');
  await rejectsWith(client.loadModel('m', { files: { x: new Uint8Array(1) } }), 'invalid-argument');
  await client.unloadModel('a b/c');
  assert.equal(server.received.at(-1)!.url, '/v2/repository/models/a%20b%2Fc/unload');
});

test('binary infer: the exact request bytes go out and outputs are cut from the answer in response order', async () => {
  handler = (req, res) => {
    if (req.url !== '/v2/models/simple/infer') { sendJson(res, 404, { error: 'bad path' }); return; }
    // Outputs answered in the model's order, not the request's.
    sendBinary(res, {
      id: '7', model_name: 'simple', model_version: '1',
      outputs: [
        { name: 'OUTPUT0', datatype: 'INT32', shape: [1, 3], parameters: { binary_data_size: 12 } },
        { name: 'NAMES', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: 11 } },
        { name: 'OUTPUT1', datatype: 'INT32', shape: [1, 3], data: [-1, -2, -3] },
      ],
    }, [int32le([1, 2, 3]), Buffer.from([3, 0, 0, 0, 0x61, 0x62, 0x63, 0, 0, 0, 0])]);
  };
  const inputs = [{ name: 'INPUT0', datatype: 'INT32' as const, shape: [1, 3], data: [1, 2, 3] }];
  const outputs = [{ name: 'OUTPUT1', binary: false }, { name: 'OUTPUT0' }, { name: 'NAMES' }];
  const result = await client.infer('simple', inputs, outputs, { requestId: '7' });
  const sent = server.received.at(-1)!;
  const expected = buildInferBody(inputs, outputs, { requestId: '7' });
  assert.deepEqual(sent.body, Buffer.concat(expected.chunks));
  assert.equal(sent.headers['inference-header-content-length'], String(expected.headerLength));
  assert.equal(sent.headers['content-type'], 'application/octet-stream');
  assert.equal(result.id, '7');
  assert.equal(result.modelVersion, '1');
  assert.deepEqual(result.outputs.map((o) => o.name), ['OUTPUT0', 'NAMES', 'OUTPUT1']);
  assert.deepEqual(result.outputs[0]!.data, Int32Array.of(1, 2, 3));
  assert.deepEqual(bytesToStrings(result.outputs[1]!.data as Uint8Array[]), ['abc', '']);
  assert.deepEqual(result.outputs[2]!.data, Int32Array.of(-1, -2, -3));
});

test('JSON answers with NaN literals, 64-bit integers, classification and shared-memory outputs', async () => {
  handler = (_req, res) => sendJson(res, 200, '{"model_name":"m","model_version":"1","outputs":['
    + '{"name":"F","datatype":"FP32","shape":[2],"data":[NaN,-Infinity]},'
    + '{"name":"L","datatype":"INT64","shape":[1],"parameters":{"note":"x","n":18446744073709551615},"data":[9007199254740993]},'
    + '{"name":"C","datatype":"BYTES","shape":[2],"data":["3.300000:1:dog","0.000123:7"]},'
    + '{"name":"S","datatype":"FP32","shape":[4]}]}');
  const result = await client.infer('m', [{ name: 'I', datatype: 'FP32', shape: [1], data: [1] }],
    [{ name: 'F', binary: false }, { name: 'L', binary: false }, { name: 'C', classCount: 2, binary: false }, { name: 'S', sharedMemory: { region: 'out', byteSize: 16, offset: 4 } }]);
  const [f, l, c, s] = result.outputs;
  assert.ok(Number.isNaN((f!.data as Float32Array)[0]));
  assert.equal((f!.data as Float32Array)[1], -Infinity);
  assert.deepEqual(l!.data, BigInt64Array.of(9007199254740993n));
  assert.deepEqual(l!.parameters, { note: 'x', n: 18446744073709551615n });
  assert.equal(f!.parameters, undefined);
  assert.deepEqual(c!.classification, [{ score: 3.3, index: 1, label: 'dog' }, { score: 0.000123, index: 7 }]);
  assert.deepEqual(s!.sharedMemory, { region: 'out', byteSize: 16, offset: 4 });
  assert.equal(s!.data, undefined);
});

test('lying or broken infer answers are protocol errors naming the request', async () => {
  const header = { model_name: 'm', model_version: '1', outputs: [{ name: 'O', datatype: 'INT32', shape: [2], parameters: { binary_data_size: 8 } }] };
  const cases: [string, Handler, RegExp][] = [
    ['header length beyond the body', (_q, res) => sendBinary(res, header, [int32le([1, 2])], '100000'), /beyond the/],
    ['binary size past the end', (_q, res) => sendBinary(res, header, [int32le([1])]), /runs past the end/],
    ['shape disagreeing with the bytes', (_q, res) => sendBinary(res, { ...header, outputs: [{ ...header.outputs[0], shape: [3] }] }, [int32le([1, 2])]), /needs 12 bytes but 8 arrived/],
    ['trailing bytes', (_q, res) => sendBinary(res, header, [int32le([1, 2, 3])]), /after the last binary output/],
    ['JSON data count off', (_q, res) => sendJson(res, 200, { model_name: 'm', model_version: '1', outputs: [{ name: 'O', datatype: 'INT32', shape: [3], data: [1] }] }), /1 value\(s\) but shape \[3\] needs 3/],
    ['non-JSON 200 body', (_q, res) => sendJson(res, 200, '<html>'), /invalid JSON/],
    ['unknown datatype', (_q, res) => sendJson(res, 200, { model_name: 'm', model_version: '1', outputs: [{ name: 'O', datatype: 'FP8', shape: [1], data: [1] }] }), /unknown datatype 'FP8'/],
    ['missing model_name', (_q, res) => sendJson(res, 200, { outputs: [] }), /model_name/],
    ['bad BYTES prefix', (_q, res) => sendBinary(res, { model_name: 'm', model_version: '1', outputs: [{ name: 'O', datatype: 'BYTES', shape: [1], parameters: { binary_data_size: 6 } }] }, [Buffer.from([9, 0, 0, 0, 1, 2])]), /claims 9 byte/],
    ['bad classification text', (_q, res) => sendJson(res, 200, { model_name: 'm', model_version: '1', outputs: [{ name: 'O', datatype: 'BYTES', shape: [1], data: ['nonsense'] }] }), /score:index/],
  ];
  for (const [what, h, pattern] of cases) {
    handler = h;
    const error = await rejectsWith(client.infer('m', [{ name: 'I', datatype: 'INT32', shape: [1], data: [1] }], [{ name: 'O', classCount: what.includes('classification') ? 1 : undefined }]), 'protocol', pattern);
    assert.match(error.message, /POST \/v2\/models\/m\/infer/, what);
  }
});

test('model_version may be missing or null; a requested output missing from the answer is a protocol error', async () => {
  const input = [{ name: 'I', datatype: 'INT32' as const, shape: [1], data: [1] }];
  const output = { name: 'O', datatype: 'INT32', shape: [1], data: [4] };
  for (const version of [undefined, null]) {
    handler = (_q, res) => sendJson(res, 200, { model_name: 'm', model_version: version, outputs: [output] });
    const result = await client.infer('m', input, [{ name: 'O', binary: false }]);
    assert.equal(result.modelVersion, '');
    assert.deepEqual(result.outputs[0]!.data, Int32Array.of(4));
  }
  handler = (_q, res) => sendJson(res, 200, { model_name: 'm', model_version: 7, outputs: [output] });
  await rejectsWith(client.infer('m', input), 'protocol', /'model_version' is not a string/);
  handler = (_q, res) => sendJson(res, 200, { model_name: 'm', model_version: '1', outputs: [output] });
  const error = await rejectsWith(client.infer('m', input, [{ name: 'O' }, { name: 'SCORES' }]), 'protocol');
  assert.equal(error.message, "POST /v2/models/m/infer: the answer has no output 'SCORES', which the request asked for (it has 'O')");
  handler = (_q, res) => sendJson(res, 200, { model_name: 'm', model_version: '1', outputs: [] });
  await rejectsWith(client.infer('m', input, [{ name: 'O' }]), 'protocol', /no output 'O', which the request asked for \(it has none\)/);
  // Asking for no particular output accepts whatever comes, an empty list included.
  assert.deepEqual((await client.infer('m', input)).outputs, []);
});

test('JSON nested 200,000 deep is a plain protocol error, not a stack overflow', async () => {
  const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
  const answers: Record<string, string> = {
    '/v2': `{"name":"t","version":"1","extensions":${deep}}`,
    '/v2/models/m/config': `{"name":"m","parameters":{"x":${deep}}}`,
    '/v2/models/m/infer': `{"model_name":"m","model_version":"1","outputs":[{"name":"O","datatype":"FP32","shape":[1],"data":${deep}}]}`,
    // NaN sends the answer through the exact parser instead of JSON.parse.
    '/v2/models/m/stats': `{"model_stats":[{"name":"m","x":NaN,"y":${deep}}]}`,
  };
  handler = (req, res) => sendJson(res, 200, answers[req.url]!);
  const calls: (() => Promise<unknown>)[] = [
    () => client.serverMetadata(), () => client.modelConfig('m'), () => client.infer('m', [], [{ name: 'O', binary: false }]), () => client.modelStatistics('m'),
  ];
  for (const call of calls) {
    const error = await rejectsWith(call(), 'protocol', /invalid JSON from the server: arrays or objects nested more than 512 deep/);
    assert.doesNotMatch(error.message, /call stack/);
  }
  // 512 levels is still fine, on both parsers.
  const allowed = `${'['.repeat(510)}1${']'.repeat(510)}`;
  handler = (_req, res) => sendJson(res, 200, `{"name":"m","a":${allowed},"b":[NaN]}`);
  const config = await client.modelConfig('m');
  assert.equal(JSON.stringify(config.a).length, 1021);
});

test('error answers: JSON under any Content-Type, empty and non-JSON bodies', async () => {
  handler = (_req, res) => sendJson(res, 400, { error: "[request id: <id_unknown>] unexpected shape for input 'I'" }, 'text/plain');
  const shape = await rejectsWith(client.infer('m', [{ name: 'I', datatype: 'INT32', shape: [1], data: [1] }]), 'invalid-argument', /unexpected shape/);
  assert.equal(shape.status, 400);
  assert.equal(shape.serverMessage, "[request id: <id_unknown>] unexpected shape for input 'I'");
  handler = (_req, res) => sendJson(res, 502, '<html>Bad gateway</html>', 'text/html');
  await rejectsWith(client.serverMetadata(), 'unavailable', /HTTP 502 without a Triton error message: <html>Bad gateway/);
  handler = (_req, res) => { res.writeHead(400, { 'content-length': 0 }); res.end(); };
  await rejectsWith(client.unloadModel('m'), 'invalid-argument', /empty body/);
  handler = (_req, res) => sendJson(res, 500, { error: "failed to load 'x', failed to poll from model repository" });
  await rejectsWith(client.loadModel('x'), 'server', /failed to poll/);
  handler = (_req, res) => sendJson(res, 501, { error: 'Unsupported compression type' });
  await rejectsWith(client.serverMetadata(), 'unsupported');
});

test('a huge declared Content-Length is refused before any body is buffered', async () => {
  handler = (_req, res, raw) => {
    // Declares 10 GB, sends a few bytes and keeps the connection open.
    res.writeHead(200, { 'content-length': '10000000000', 'content-type': 'application/json' });
    res.write('{"name":');
    raw.socket?.on('close', () => res.destroy());
  };
  await rejectsWith(client.serverMetadata(), 'protocol', /10000000000 bytes exceeds the 2147483648-byte limit/);
});

test('a chunked answer growing past maxResponseBytes is cut off, not buffered', async () => {
  const small = createTritonClient({ url: server.hostPort, protocol: 'http', maxResponseBytes: 1000, deadlineMs: 5000 });
  let written = 0;
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const pump = (): void => {
      while (!res.destroyed && written < 1_000_000 && res.write(Buffer.alloc(500, 0x20))) written += 500;
      if (!res.destroyed && written < 1_000_000) res.once('drain', pump);
    };
    res.on('close', () => { written = Infinity; });
    pump();
  };
  await rejectsWith(small.serverMetadata(), 'protocol', /exceeds the 1000-byte limit/);
  await small.close();
});

test('a body cut short by the server is a protocol error', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-length': 100, 'content-type': 'application/json' });
    res.write('{"name":"tri');
    setImmediate(() => res.socket?.destroy());
  };
  await rejectsWith(client.serverMetadata(), 'protocol', /cut off/);
});

test('a big binary body cut short is a protocol error too', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-length': 3 << 20, 'content-type': 'application/octet-stream', 'inference-header-content-length': '2' });
    res.write(Buffer.alloc(2 << 20, 1), () => setImmediate(() => res.socket?.destroy()));
  };
  await rejectsWith(client.infer('m', [{ name: 'I', datatype: 'INT32', shape: [1], data: [1] }]), 'protocol', /cut off: \d+ of 3145728 bytes/);
});

test('deadline and abort end a call the server never answers', async () => {
  handler = () => { /* never answers */ };
  const started = Date.now();
  await rejectsWith(client.serverMetadata({ deadlineMs: 150 }), 'deadline', /150 ms/);
  assert.ok(Date.now() - started < 2000);
  const controller = new AbortController();
  handler = () => controller.abort();
  await rejectsWith(client.serverMetadata({ signal: controller.signal }), 'cancelled');
  await rejectsWith(client.serverMetadata({ signal: AbortSignal.abort() }), 'cancelled', /before it was sent/);
  await rejectsWith(client.serverMetadata({ deadlineMs: 0 }), 'deadline', /already passed/);
  await rejectsWith(client.serverMetadata({ deadlineMs: -5 }), 'deadline', /already passed/);
});

test('a closed port is unavailable', async () => {
  const gone = await startStubServer(() => undefined);
  const url = gone.hostPort;
  await gone.close();
  const dead = createTritonClient({ url, protocol: 'http', deadlineMs: 5000 });
  const error = await rejectsWith(dead.isServerLive(), 'unavailable', /ECONNREFUSED/);
  assert.equal(error.request, 'GET /v2/health/live');
  await dead.close();
});

test('gzip and deflate: compressed requests and answers', async () => {
  const header = { model_name: 'm', model_version: '1', outputs: [{ name: 'O', datatype: 'INT32', shape: [2], parameters: { binary_data_size: 8 } }] };
  const plainAnswer = Buffer.concat([Buffer.from(JSON.stringify(header)), int32le([5, 6])]);
  let seenRequest: Buffer = Buffer.alloc(0);
  handler = (req, res) => {
    seenRequest = req.headers['content-encoding'] === 'gzip' ? gunzipSync(req.body) : req.body;
    const encoding = String(req.headers['accept-encoding']);
    const body = encoding === 'gzip' ? gzipSync(plainAnswer) : deflateSync(plainAnswer);
    res.writeHead(200, {
      'content-encoding': encoding, 'content-length': body.length,
      'inference-header-content-length': String(JSON.stringify(header).length),
    });
    res.end(body);
  };
  const inputs = [{ name: 'I', datatype: 'INT32' as const, shape: [2], data: [1, 2] }];
  const result = await client.infer('m', inputs, [{ name: 'O' }], { compression: 'gzip', acceptCompression: 'gzip' });
  assert.deepEqual(seenRequest, Buffer.concat(buildInferBody(inputs, [{ name: 'O' }]).chunks));
  assert.deepEqual(result.outputs[0]!.data, Int32Array.of(5, 6));
  const viaDeflate = await client.infer('m', inputs, [{ name: 'O' }], { acceptCompression: 'deflate' });
  assert.deepEqual(viaDeflate.outputs[0]!.data, Int32Array.of(5, 6));
});

test('a truncated or corrupt compressed answer is a protocol error; an empty one is an empty body', async () => {
  const whole = gzipSync(Buffer.from('{"name":"m"}'));
  let body = whole.subarray(0, whole.length - 6);
  handler = (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length, 'content-type': 'application/json' });
    res.end(body);
  };
  const headers = { 'accept-encoding': 'gzip' };
  await rejectsWith(client.modelConfig('m', { headers }), 'protocol', /cannot decompress the gzip answer: unexpected end of file/);
  body = Buffer.from('not gzip at all');
  await rejectsWith(client.modelConfig('m', { headers }), 'protocol', /cannot decompress the gzip answer/);
  body = Buffer.alloc(0);
  assert.deepEqual(await client.modelConfig('m', { headers }), {});
  body = whole;
  assert.deepEqual(await client.modelConfig('m', { headers }), { name: 'm' });
});

test('base path, default and per-call headers, keep-alive reuse', async () => {
  const before = server.connections();
  const based = createTritonClient({ url: `http://${server.hostPort}/triton/`, protocol: 'http', headers: { Authorization: 'Basic abc' }, concurrency: 1, deadlineMs: 5000 });
  handler = (_req, res) => { res.writeHead(200, { 'content-length': 0 }); res.end(); };
  for (let i = 0; i < 5; i++) assert.equal(await based.isServerReady({ headers: { 'X-Trace': String(i) } }), true);
  const last = server.received.at(-1)!;
  assert.equal(last.url, '/triton/v2/health/ready');
  assert.equal(last.headers.authorization, 'Basic abc');
  assert.equal(last.headers['x-trace'], '4');
  assert.equal(server.connections() - before, 1, 'five calls over one kept-alive connection');
  await based.close();
  await rejectsWith(based.isServerLive(), 'cancelled', /closed/);
  assert.throws(() => createTritonClient({ url: server.hostPort, protocol: 'http', headers: { 'Transfer-Encoding': 'chunked' } }), TritonError);
});

test('inferMany keeps at most `concurrency` requests in flight and reports each outcome in order', async () => {
  const total = 7;
  const limit = 3;
  let pending: (() => void)[] = [];
  let arrived = 0;
  let maxPending = 0;
  handler = (req, res) => {
    arrived++;
    const id = (JSON.parse(req.body.subarray(0, Number(req.headers['inference-header-content-length'])).toString()) as { id: string }).id;
    pending.push(() => {
      if (id === 'r4') sendJson(res, 400, { error: 'bad request r4' });
      else sendJson(res, 200, { id, model_name: 'm', model_version: '1', outputs: [] });
    });
    maxPending = Math.max(maxPending, pending.length);
    // Release a batch once the client has filled its window (or sent everything).
    if (pending.length === limit || arrived === total) {
      const batch = pending;
      pending = [];
      for (const release of batch) release();
    }
  };
  const requests = Array.from({ length: total }, (_, i) => ({
    model: 'm', inputs: [{ name: 'I', datatype: 'INT32' as const, shape: [1], data: [i] }], options: { requestId: `r${i}` },
  }));
  const outcomes = await client.inferMany(requests, { concurrency: limit });
  assert.equal(maxPending, limit);
  assert.equal(outcomes.length, total);
  outcomes.forEach((outcome, i) => {
    if (i === 4) assert.ok(!outcome.ok && outcome.error.kind === 'invalid-argument' && /bad request r4/.test(outcome.error.message));
    else assert.ok(outcome.ok && outcome.result.id === `r${i}`, `outcome ${i}`);
  });
});

test('generate and generate_stream', async () => {
  handler = (req, res) => {
    if (req.url.endsWith('/generate')) { sendJson(res, 200, { model_name: 'llm', model_version: '1', text_output: 'hi' }); return; }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    res.write('data: {"text_output":"a"}\n\n');
    res.write('data: {"text_out');
    res.write('put":"b"}\r\n\r\n');
    res.end('data: {"error":"model exploded"}\n\n');
  };
  assert.equal((await client.generate('llm', { text_input: 'x' })).text_output, 'hi');
  const seen: unknown[] = [];
  const error = await rejectsWith((async () => {
    for await (const event of client.generateStream('llm', { text_input: 'x' })) seen.push(event.text_output);
  })(), 'server', /model exploded/);
  assert.equal(error.serverMessage, 'model exploded');
  assert.deepEqual(seen, ['a', 'b']);
  assert.throws(() => client.streamInfer(), (e: unknown) => e instanceof TritonError && e.kind === 'unsupported');
});

test('leaving a generate_stream loop early closes the request', async () => {
  let closed!: () => void;
  const closedSignal = new Promise<void>((resolve) => { closed = resolve; });
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"n":1}\n\n');
    res.on('close', () => closed());
  };
  for await (const event of client.generateStream('llm', {})) {
    assert.equal(event.n, 1);
    break;
  }
  await closedSignal;
});

test('large binary outputs arrive as views into one aligned answer buffer, not copies', async () => {
  const values = Float64Array.from({ length: 300_000 }, (_, i) => i * 0.5);
  // An odd-length header puts the binary part at an odd offset of the body.
  const header = { model_name: 'm', model_version: '1', id: 'x', outputs: [
    { name: 'A', datatype: 'FP64', shape: [values.length], parameters: { binary_data_size: values.byteLength } },
    { name: 'B', datatype: 'INT32', shape: [2], parameters: { binary_data_size: 8 } }] };
  assert.equal(JSON.stringify(header).length % 2, 1);
  handler = (_req, res) => sendBinary(res, header, [Buffer.from(values.buffer), int32le([7, 8])]);
  const result = await client.infer('m', [{ name: 'I', datatype: 'INT32', shape: [1], data: [1] }], [{ name: 'A' }, { name: 'B' }]);
  const a = result.outputs[0]!.data as Float64Array;
  const b = result.outputs[1]!.data as Int32Array;
  assert.deepEqual(a, values);
  assert.deepEqual(b, Int32Array.of(7, 8));
  assert.equal(a.buffer, b.buffer, 'both outputs share the answer buffer');
});

test('a kept-alive socket the server dropped is retried for idempotent calls only', async () => {
  const retrying = createTritonClient({ url: server.hostPort, protocol: 'http', concurrency: 1, deadlineMs: 5000 });
  const answer = { model_name: 'm', model_version: '1', outputs: [] };
  const inputs = [{ name: 'I', datatype: 'INT32' as const, shape: [1], data: [1] }];
  // The second request on a connection is dropped without an answer, as a server closing an idle socket would.
  const perSocket = new WeakMap<object, number>();
  handler = (_req, res, raw) => {
    const n = (perSocket.get(raw.socket) ?? 0) + 1;
    perSocket.set(raw.socket, n);
    if (n === 2) raw.socket.destroy();
    else sendJson(res, 200, answer);
  };
  await retrying.infer('m', inputs);
  const before = server.received.length;
  await retrying.infer('m', inputs);
  assert.equal(server.received.length - before, 2, 'the dropped request was sent again');
  // A sequence request may have been applied already: it must fail instead of being replayed.
  await retrying.infer('m', inputs);
  await rejectsWith(retrying.infer('m', inputs, undefined, { sequenceId: 9, sequenceStart: true }), 'unavailable', /ECONNRESET|socket hang up/);
  await retrying.close();
});

test('idleTimeoutMs fails a call whose connection goes silent', async () => {
  const idle = createTritonClient({ url: server.hostPort, protocol: 'http', idleTimeoutMs: 150, deadlineMs: 5000 });
  handler = (_req, res) => {
    res.writeHead(200, { 'content-length': 100, 'content-type': 'application/json' });
    res.write('{"na');
  };
  await rejectsWith(idle.serverMetadata(), 'deadline', /silent for 150 ms/);
  await idle.close();
});

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'pass'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('connectTimeoutMs gives up on a listener that never completes the handshake', { skip: hasPython() ? false : 'python3 is needed for a socket that listens without accepting' }, async () => {
  // A listening socket that never accepts, with its backlog filled, drops further SYNs: connect() hangs.
  const child = spawn('python3', ['-c', 'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('error', reject);
    });
    const filler = connect(port, '127.0.0.1');
    await once(filler, 'connect');
    const blocked = createTritonClient({ url: `127.0.0.1:${port}`, protocol: 'http', connectTimeoutMs: 200, deadlineMs: 5000 });
    const started = Date.now();
    await rejectsWith(blocked.isServerLive(), 'unavailable', /no connection to 127\.0\.0\.1:\d+ within 200 ms/);
    assert.ok(Date.now() - started < 2000);
    filler.destroy();
    await blocked.close();
  } finally {
    child.stdin!.end();
    child.kill();
  }
});

test('server-sent events: split anywhere, CRLF/CR/LF line ends, multi-line data, size limit', async () => {
  const { SseDecoder } = await import('../../../src/triton/http/generateStream');
  const text = 'data: {"a":1}\r\n\r\n: comment\nevent: x\ndata: {"b":\ndata: 2}\n\ndata:{"c":3}\r\rdata: {"d":4}';
  const bytes = Buffer.from(text);
  // Every split point must give the same events.
  for (let cut = 0; cut <= bytes.length; cut++) {
    const sse = new SseDecoder(1 << 20);
    const events = [...sse.push(bytes.subarray(0, cut)), ...sse.push(bytes.subarray(cut)), ...sse.end()];
    assert.deepEqual(events, ['{"a":1}', '{"b":\n2}', '{"c":3}', '{"d":4}'], `cut at ${cut}`);
  }
  const small = new SseDecoder(64);
  assert.throws(() => { for (let i = 0; i < 100; i++) small.push(Buffer.from('data: xxxxxxxxxx')); }, (e: unknown) => e instanceof TritonError && e.kind === 'protocol');
});

test('generate_stream refused before streaming is an ordinary error answer', async () => {
  handler = (_req, res) => sendJson(res, 400, { error: "Unsupported content-encoding, only 'identity' is supported." });
  const error = await rejectsWith((async () => { for await (const _ of client.generateStream('llm', {})) { /* none */ } })(), 'invalid-argument', /identity/);
  assert.equal(error.status, 400);
  // Bad arguments surface while iterating, as a rejection, not as a throw from generateStream().
  const stream = client.generateStream('', {});
  await rejectsWith((async () => { for await (const _ of stream) { /* none */ } })(), 'invalid-argument', /model name is empty/);
});

test('close() ends calls still running with cancelled', async () => {
  const closing = createTritonClient({ url: server.hostPort, protocol: 'http', deadlineMs: 5000 });
  let arrived!: () => void;
  const requestArrived = new Promise<void>((resolve) => { arrived = resolve; });
  handler = () => arrived();
  const call = closing.serverMetadata();
  await requestArrived;
  await closing.close();
  await rejectsWith(call, 'cancelled', /closed while the call ran/);
});

test('aborting inferMany cancels the running request and every one not yet sent', async () => {
  const controller = new AbortController();
  let arrivals = 0;
  handler = () => {
    // The first request is never answered; aborting is what ends it.
    arrivals++;
    controller.abort();
  };
  const requests = Array.from({ length: 4 }, () => ({ model: 'm', inputs: [{ name: 'I', datatype: 'INT32' as const, shape: [1], data: [1] }] }));
  const outcomes = await client.inferMany(requests, { concurrency: 1, signal: controller.signal });
  assert.equal(arrivals, 1);
  assert.deepEqual(outcomes.map((o) => (o.ok ? 'ok' : o.error.kind)), ['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  await assert.rejects(client.inferMany(requests, { concurrency: 0 }), (e: unknown) => e instanceof TritonError && e.kind === 'invalid-argument');
  assert.throws(() => createTritonClient({ url: server.hostPort, protocol: 'http', maxResponseBytes: -1 }), TritonError);
});

test('statistics: each model_stats entry is checked field by field and filled like a gRPC answer', async () => {
  let stats: unknown;
  handler = (_req, res) => sendJson(res, 200, { model_stats: stats });
  stats = [{ name: 'm', version: '1', last_inference: 5, inference_count: 2, execution_count: 1, inference_stats: { success: { count: 2, ns: 10 } }, batch_stats: [{ batch_size: 1, compute_infer: { count: 1, ns: 4 } }] }];
  const [s] = await client.modelStatistics();
  assert.deepEqual(s!.inference_stats.fail, { count: 0, ns: 0 }, 'a duration the server left out counts nothing, as over gRPC');
  assert.deepEqual(s!.batch_stats[0]!.compute_input, { count: 0, ns: 0 });
  assert.deepEqual([s!.response_stats, s!.memory_usage], [{}, []]);
  const bad: [unknown, RegExp][] = [
    [[{ name: 'm', version: 1 }], /statistics model_stats\[0\] 'version' is not a string/],
    [[{ name: 'm', version: '1', inference_count: 'many' }], /statistics model_stats\[0\] 'inference_count' is not a non-negative integer/],
    [[{ name: 'm', version: '1', last_inference: -1 }], /'last_inference' is not a non-negative integer/],
    [[{ name: 'm', version: '1', batch_stats: 5 }], /statistics model_stats\[0\] 'batch_stats' is not a JSON array/],
    [[{ name: 'm', version: '1', batch_stats: [{ batch_size: 1.5 }] }], /model_stats\[0\] batch_stats\[0\] 'batch_size' is not a non-negative integer/],
    [[{ name: 'm', version: '1', inference_stats: { queue: { count: 1, ns: 'x' } } }], /model_stats\[0\] inference_stats 'queue' 'ns' is not a non-negative integer/],
    [[{ name: 'm', version: '1', memory_usage: {} }], /model_stats\[0\] 'memory_usage' is not a JSON array/],
    [[{ name: 'm', version: '1', memory_usage: [{ type: 'GPU', id: 'zero', byte_size: 1 }] }], /memory_usage\[0\] 'id' is not an integer/],
    [[{ name: 'm', version: '1', response_stats: { 0: 7 } }], /model_stats\[0\] response_stats '0' is not a JSON object/],
    [{ name: 'm' }, /statistics 'model_stats' is not a JSON array/],
  ];
  for (const [value, pattern] of bad) {
    stats = value;
    await rejectsWith(client.modelStatistics(), 'protocol', pattern);
  }
});
