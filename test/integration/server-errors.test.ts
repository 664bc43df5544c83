// The reference server answers bad requests with tritonserver 2.59.1's status codes and messages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpRequest } from '../support/httpRequest';
import type { HttpRequestOptions } from '../support/httpRequest';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

interface Case {
  what: string;
  path: string;
  request?: HttpRequestOptions;
  status: number;
  /** Exact error text, or a pattern for long messages. */
  error?: string | RegExp;
}

const in0 = (extra: object = {}): object => ({ name: 'INPUT0', shape: [1, 16], datatype: 'INT32', data: Array(16).fill(1), ...extra });
const in1 = (extra: object = {}): object => ({ name: 'INPUT1', shape: [1, 16], datatype: 'INT32', data: Array(16).fill(2), ...extra });
const seq = (params: object): HttpRequestOptions => ({ body: { parameters: params, inputs: [{ name: 'INPUT', shape: [1, 1], datatype: 'INT32', data: [1] }] } });

const CASES: Case[] = [
  { what: 'unknown path', path: '/v2/nothing', status: 404, error: 'Not Found' },
  { what: 'non-numeric version', path: '/v2/models/simple/versions/abc', status: 404, error: 'Not Found' },
  { what: 'unknown version', path: '/v2/models/simple/versions/7', status: 404, error: "Request for unknown model: 'simple' version 7 is not found" },
  { what: 'model ready of an unknown model', path: '/v2/models/nope/ready', status: 400, error: 'Model version not ready' },
  { what: 'stats of an unknown model', path: '/v2/models/nope/stats', status: 400, error: "requested model 'nope' is not available" },
  { what: 'stats of an unknown version', path: '/v2/models/simple/versions/9/stats', status: 400, error: "requested model version is not available for model 'simple'" },
  { what: 'malformed JSON', path: '/v2/models/simple/infer', request: { body: '{"inputs":[' }, status: 500, error: 'failed to parse the request JSON buffer: Invalid value. at 11' },
  // RapidJSON's offset is where the text ends; tritonserver answered "at 12" for a 12-byte cut.
  { what: 'JSON cut after a member name', path: '/v2/models/simple/infer', request: { body: '{"inputs": \n' }, status: 500, error: 'failed to parse the request JSON buffer: Invalid value. at 12' },
  { what: 'JSON cut right after the colon', path: '/v2/models/simple/infer', request: { body: '{"inputs": ' }, status: 500, error: 'failed to parse the request JSON buffer: Invalid value. at 11' },
  { what: 'no inputs member', path: '/v2/models/simple/infer', request: { body: {} }, status: 500, error: "Unable to parse 'inputs': attempt to access non-existing object member 'inputs'" },
  { what: 'numeric id', path: '/v2/models/simple/infer', request: { body: { id: 5, inputs: [] } }, status: 500, error: "Unable to parse 'id': attempt to access JSON non-string as string" },
  { what: 'unknown datatype', path: '/v2/models/simple/infer', request: { body: { inputs: [in0({ datatype: 'INT31' })] } }, status: 400, error: 'invalid datatype for input INPUT0' },
  { what: 'missing input', path: '/v2/models/simple/infer', request: { body: { inputs: [in0()] } }, status: 400, error: "[request id: <id_unknown>] expected 2 inputs but got 1 inputs for model 'simple'. Got input(s) ['INPUT0'], but missing required input(s) ['INPUT1']. Please provide all required input(s)." },
  { what: 'unknown extra input', path: '/v2/models/simple/infer', request: { body: { inputs: [in0(), in1(), in0({ name: 'INPUT9' })] } }, status: 400, error: "[request id: <id_unknown>] expected 2 inputs but got 3 inputs for model 'simple'. Got input(s) ['INPUT9','INPUT1','INPUT0'], but missing required input(s) ]. Please provide all required input(s)." },
  { what: 'no inputs at all', path: '/v2/models/simple/infer', request: { body: { id: 'r7', inputs: [] } }, status: 400, error: "[request id: r7] expected 2 inputs but got 0 inputs for model 'simple'. Got input(s) [], but missing required input(s) ['INPUT0','INPUT1']. Please provide all required input(s)." },
  { what: 'wrong shape on a batching model', path: '/v2/models/simple/infer', request: { body: { inputs: [in0({ shape: [1, 8], data: Array(8).fill(1) }), in1()] } }, status: 400, error: "[request id: <id_unknown>] unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [1,8]. NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. If you want to specify the full shape including the batch dim in your input dims config, try setting max_batch_size to zero. See the model configuration docs for more info on max_batch_size." },
  { what: 'wrong shape on a non-batching model', path: '/v2/models/identity_fp32/infer', request: { body: { inputs: [{ name: 'INPUT0', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] }] } }, status: 400, error: "[request id: <id_unknown>] unexpected shape for input 'INPUT0' for model 'identity_fp32'. Expected [-1], got [2,2]. " },
  { what: 'two wrong shapes over HTTP: the first is named', path: '/v2/models/simple/infer', request: { body: { inputs: [in0({ shape: [1, 8], data: Array(8).fill(1) }), in1({ shape: [1, 4], data: Array(4).fill(1) })] } }, status: 400, error: /^\[request id: <id_unknown>\] unexpected shape for input 'INPUT0' for model 'simple'\. Expected \[-1,16\], got \[1,8\]\. NOTE: / },
  { what: 'unknown input', path: '/v2/models/simple/infer', request: { body: { inputs: [in0({ name: 'BOGUS' }), in1()] } }, status: 400, error: "unexpected inference input 'BOGUS' for model 'simple'" },
  { what: 'unknown output', path: '/v2/models/simple/infer', request: { body: { inputs: [in0(), in1()], outputs: [{ name: 'NOPE' }] } }, status: 400, error: "unexpected inference output 'NOPE' for model 'simple'" },
  { what: 'batch too large', path: '/v2/models/simple/infer', request: { body: { inputs: [in0({ shape: [9, 16], data: Array(144).fill(0) }), in1({ shape: [9, 16], data: Array(144).fill(0) })] } }, status: 400, error: /inference request batch-size must be <= 8 for 'simple'/ },
  { what: 'data count off', path: '/v2/models/simple/infer', request: { body: { inputs: [in0({ data: [1, 2] }), in1()] } }, status: 500, error: "Unable to parse 'data': Shape does not match true shape of 'data' field" },
  { what: 'FP16 as JSON', path: '/v2/models/identity_fp16/infer', request: { body: { inputs: [{ name: 'INPUT0', shape: [1], datatype: 'FP16', data: [1] }] } }, status: 400, error: 'receiving FP16 data via JSON is not supported. Please use the binary data format for input INPUT0' },
  { what: 'reserved parameter', path: '/v2/models/simple/infer', request: { body: { parameters: { triton_x: 1 }, inputs: [in0(), in1()] } }, status: 400, error: "parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified." },
  { what: 'array parameter', path: '/v2/models/simple/infer', request: { body: { parameters: { custom: [1] }, inputs: [in0(), in1()] } }, status: 400, error: "parameter 'custom' has invalid type. It should be either 'int', 'bool', or 'string'." },
  { what: 'data and binary both', path: '/v2/models/simple/infer', request: { body: { inputs: [in0({ parameters: { binary_data_size: 64 } }), in1()] } }, status: 400, error: /^Input must set only one of the following fields/ },
  { what: 'header length out of range', path: '/v2/models/simple/infer', request: { body: '{}', headers: { 'Inference-Header-Content-Length': '99' } }, status: 400, error: 'inference header size should be in range (0, 2), got: 99' },
  { what: 'raw request to a two-input model', path: '/v2/models/simple/infer', request: { body: Buffer.alloc(64), headers: { 'Inference-Header-Content-Length': '0' } }, status: 400, error: "[request id: <id_unknown>] Raw request must only have 1 input (found 1) to be deduced but got 2 inputs in 'simple' model configuration" },
  { what: 'unsupported compression', path: '/v2/models/simple/infer', request: { body: 'x', headers: { 'Content-Encoding': 'br' } }, status: 501, error: 'Unsupported compression type' },
  { what: 'classification of BYTES', path: '/v2/models/identity_bytes/infer', request: { body: { inputs: [{ name: 'INPUT0', shape: [1], datatype: 'BYTES', data: ['a'] }], outputs: [{ name: 'OUTPUT0', parameters: { classification: 1 } }] } }, status: 400, error: "class result not available for output due to unsupported type 'BYTES'" },
  { what: 'sequence without id', path: '/v2/models/simple_sequence/infer', request: seq({}), status: 400, error: "inference request to model 'simple_sequence' must specify a non-zero or non-empty correlation ID" },
  { what: 'sequence without START', path: '/v2/models/simple_sequence/infer', request: seq({ sequence_id: 4242 }), status: 400, error: "inference request for sequence 4242 to model 'simple_sequence' must specify the START flag on the first request of the sequence" },
  { what: 'string id for a UINT64 CORRID', path: '/v2/models/simple_dyna_sequence/infer', request: seq({ sequence_id: 'abc', sequence_start: true }), status: 400, error: '[request id: <id_unknown>] correlation ID in request is not an unsigned int' },
  { what: 'unknown shm region', path: '/v2/models/simple/infer', request: { body: { inputs: [in0({ data: undefined, parameters: { shared_memory_region: 'none', shared_memory_byte_size: 64 } }), in1()] } }, status: 404, error: "Unable to find shared memory region: 'none'" },
  { what: 'shm register without key', path: '/v2/systemsharedmemory/region/r/register', request: { body: { byte_size: 8 } }, status: 400, error: "Shared memory register request has no 'key' field" },
  { what: 'shm register of a missing object', path: '/v2/systemsharedmemory/region/r/register', request: { body: { key: '/reference_no_such_key', byte_size: 8 } }, status: 500, error: "Unable to open shared memory region: '/reference_no_such_key'" },
  { what: 'unknown shm status', path: '/v2/systemsharedmemory/region/zzz/status', status: 404, error: "Unable to find system shared memory region: 'zzz'" },
  { what: 'unregister unknown region', path: '/v2/systemsharedmemory/region/zzz/unregister', request: { body: '' }, status: 200 },
  { what: 'log file change', path: '/v2/logging', request: { body: { log_file: '' } }, status: 501, error: 'log file location can not be updated through network protocol' },
  { what: 'log level as string', path: '/v2/logging', request: { body: { log_verbose_level: '1' } }, status: 500, error: 'attempt to access JSON non-unsigned-integer as unsigned-integer' },
  { what: 'empty logging body', path: '/v2/logging', request: { body: '' }, status: 500, error: 'failed to parse the request JSON buffer: The document is empty. at 0' },
  { what: 'trace file change', path: '/v2/trace/setting', request: { body: { trace_file: '/tmp/x' } }, status: 501, error: 'trace file location can not be updated through network protocol' },
  { what: 'trace of an unknown model', path: '/v2/models/nope/trace/setting', status: 400, error: 'Request for unknown model : nope' },
  { what: 'versioned trace path', path: '/v2/models/simple/versions/1/trace/setting', status: 404, error: 'Not Found' },
  { what: 'load from a named repository', path: '/v2/repository/other/models/simple/load', request: { body: '' }, status: 501, error: "'repository_name' specification is not supported" },
  { what: 'non-string load parameter', path: '/v2/repository/models/simple/load', request: { body: { parameters: { config: 5 } } }, status: 500, error: 'attempt to access JSON non-string as string' },
  { what: 'load override without a backend', path: '/v2/repository/models/identity_int16/load', request: { body: { parameters: { config: '{"max_batch_size":0}', 'file:1/x.txt': '' } } }, status: 500, error: "failed to load 'identity_int16', failed to poll from model repository" },
  { what: 'index with a non-boolean ready', path: '/v2/repository/index', request: { body: { ready: 'yes' } }, status: 500, error: 'attempt to access JSON non-boolean as boolean' },
];

describe('reference server error answers', () => {
  let server: ReferenceServer;
  before(async () => {
    server = await startReferenceServer();
  });
  after(async () => {
    await server.stop();
  });

  for (const c of CASES) {
    it(`${c.what}: ${c.status}`, async () => {
      const res = await httpRequest(server.httpUrl + c.path, c.request);
      assert.equal(res.status, c.status, res.body.toString());
      if (c.error === undefined) return;
      const body = res.json as { error?: unknown } | undefined;
      assert.equal(typeof body?.error, 'string', `body: ${res.body.toString()}`);
      if (typeof c.error === 'string') assert.equal(body!.error, c.error);
      else assert.match(String(body!.error), c.error);
    });
  }

  it('answers mutated infer bodies with a JSON error or a result, never a crash or a hang', async () => {
    // Deterministic xorshift so a failure can be replayed.
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const header = Buffer.from(JSON.stringify({ id: 'f', inputs: [in0({ data: undefined, parameters: { binary_data_size: 64 } }), in1()], outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true, classification: 2 } }] }));
    const valid = Buffer.concat([header, Buffer.alloc(64, 1)]);
    for (let i = 0; i < 150; i++) {
      const body = Buffer.from(valid);
      for (let k = 0; k <= rand(4); k++) body[rand(body.length)] = rand(256);
      const cut = rand(3) === 0 ? body.subarray(0, rand(body.length)) : body;
      const res = await httpRequest(`${server.httpUrl}/v2/models/simple/infer`, { body: cut, headers: { 'Inference-Header-Content-Length': String(rand(4) === 0 ? rand(400) : header.length) } });
      if (res.status === 200) continue;
      assert.ok([400, 404, 500, 501].includes(res.status), `status ${res.status} for case ${i}`);
      assert.equal(typeof (res.json as { error?: unknown } | undefined)?.error, 'string', `case ${i}: ${res.body.toString().slice(0, 200)}`);
    }
  });

  it('sends the errors 2.59.1 sends as text/plain with that content type, others as JSON', async () => {
    const unknown = await httpRequest(`${server.httpUrl}/v2/models/nope/infer`, { body: { inputs: [] } });
    assert.deepEqual([unknown.status, unknown.headers['content-type'], unknown.json], [404, 'text/plain', { error: "Request for unknown model: 'nope' is not found" }]);
    const meta = await httpRequest(`${server.httpUrl}/v2/models/nope`);
    assert.equal(meta.headers['content-type'], 'application/json');
  });

  it('still serves after every bad request', async () => {
    assert.equal((await httpRequest(`${server.httpUrl}/v2/health/live`)).status, 200);
  });
});
