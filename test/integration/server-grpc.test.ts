// The reference server over raw grpc-js stubs: config, repository parameters, shm, classification, settings, stream errors.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

type Obj = Record<string, unknown>;
type Stub = grpc.Client & Record<string, (...a: unknown[]) => unknown>;

const int32 = (xs: number[]): Buffer => {
  const b = Buffer.alloc(xs.length * 4);
  xs.forEach((x, i) => b.writeInt32LE(x, i * 4));
  return b;
};

describe('reference server over raw gRPC', () => {
  let server: ReferenceServer;
  let client: Stub;
  const call = (method: string, req: object, md = new grpc.Metadata()): Promise<Obj> =>
    new Promise((resolve, reject) => client[method]!(req, md, { deadline: Date.now() + 5000 }, (e: Error | null, r: Obj) => (e ? reject(e) : resolve(r))));
  const fails = (code: grpc.status, details: string | RegExp) => (e: grpc.ServiceError): boolean => {
    assert.equal(e.code, code, e.details);
    if (typeof details === 'string') assert.equal(e.details, details);
    else assert.match(e.details, details);
    return true;
  };

  before(async () => {
    server = await startReferenceServer();
    const dir = join(__dirname, '..', '..', 'proto');
    const def = protoLoader.loadSync([join(dir, 'grpc_service.proto')], { keepCase: true, longs: String, enums: String, oneofs: true, includeDirs: [dir] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };
    client = new pkg.inference.GRPCInferenceService(server.grpcUrl, grpc.credentials.createInsecure()) as unknown as Stub;
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  it('returns the completed config as a ModelConfig message', async () => {
    const { config } = (await call('ModelConfig', { name: 'color_classifier' })) as { config: Obj & { input: Obj[]; output: Obj[]; instance_group: Obj[] } };
    assert.equal(config['name'], 'color_classifier');
    assert.deepEqual(config.input[0]!['dims'], ['3', '224', '224']);
    assert.equal(config.input[0]!['format'], 'FORMAT_NCHW');
    assert.equal(config.output[0]!['label_filename'], 'color_labels.txt');
    assert.equal(config.instance_group[0]!['kind'], 'KIND_CPU');
  });

  it("completes simple_sequence's config as 2.59.1 does: 1 s idle time, the unnamed instance group named <model>_0", async () => {
    const { config } = (await call('ModelConfig', { name: 'simple_sequence' })) as { config: Obj & { sequence_batching: Obj; instance_group: Obj[] } };
    assert.equal(config.sequence_batching['max_sequence_idle_microseconds'], '1000000');
    assert.deepEqual(config.instance_group.map((g) => [g['name'], g['kind'], g['count']]), [['simple_sequence_0', 'KIND_CPU', 1]]);
  });

  it('checks load and unload parameter kinds like 2.59.1', async () => {
    await assert.rejects(call('RepositoryModelLoad', { model_name: 'simple', parameters: { bogus: { string_param: 'x' } } }), fails(grpc.status.INVALID_ARGUMENT, "unrecognized load parameter 'bogus'."));
    await assert.rejects(call('RepositoryModelLoad', { model_name: 'simple', parameters: { config: { bool_param: true } } }), fails(grpc.status.INVALID_ARGUMENT, "invalid value type for load parameter 'config', expected string_param."));
    await assert.rejects(call('RepositoryModelUnload', { model_name: 'simple', parameters: { unload_dependents: { string_param: 'yes' } } }), fails(grpc.status.INVALID_ARGUMENT, "invalid value type for 'unload_dependents' parameter, expected bool_param."));
    await assert.rejects(call('RepositoryIndex', { repository_name: 'other' }), fails(grpc.status.UNIMPLEMENTED, "'repository_name' specification is not supported"));
    const signature = Buffer.from('input [ { name: "A" data_type: TYPE_INT32 dims: [ 1 ] } ]\noutput [ { name: "B" data_type: TYPE_INT32 dims: [ 1 ] } ]\n');
    await call('RepositoryModelLoad', { model_name: 'grpc_loaded', parameters: { config: { string_param: '{"backend":"identity"}' }, 'file:1/model.identity': { bytes_param: signature } } });
    const meta = await call('ModelMetadata', { name: 'grpc_loaded' });
    assert.deepEqual(meta['inputs'], [{ name: 'A', datatype: 'INT32', shape: ['1'] }]);
    await assert.rejects(call('RepositoryModelLoad', { model_name: 'simple', parameters: { config: { string_param: '{"max_batch_size":' } } }), fails(grpc.status.INTERNAL, "failed to load 'simple', failed to poll from model repository"));
  });

  it('reads and writes shared memory for inputs and outputs, skipping raw entries for shm inputs', async () => {
    const key = `/reference_grpc_${process.pid}`;
    const file = join('/dev/shm', key.slice(1));
    writeFileSync(file, Buffer.concat([int32(Array(16).fill(7)), Buffer.alloc(64)]));
    try {
      await call('SystemSharedMemoryRegister', { name: 'g', key, offset: 0, byte_size: 128 });
      await assert.rejects(call('SystemSharedMemoryRegister', { name: 'g', key, offset: 0, byte_size: 128 }), fails(grpc.status.ALREADY_EXISTS, "shared memory region 'g' already in manager"));
      const shm = (offset: number): Obj => ({ shared_memory_region: { string_param: 'g' }, shared_memory_byte_size: { int64_param: 64 }, shared_memory_offset: { int64_param: offset } });
      const res = await call('ModelInfer', {
        model_name: 'simple',
        inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 16], parameters: shm(0) }, { name: 'INPUT1', datatype: 'INT32', shape: [1, 16] }],
        outputs: [{ name: 'OUTPUT0', parameters: shm(64) }, { name: 'OUTPUT1' }],
        raw_input_contents: [int32(Array(16).fill(2))],
      });
      const raw = res['raw_output_contents'] as Buffer[];
      const names = (res['outputs'] as Obj[]).map((o) => o['name']);
      assert.equal(raw[names.indexOf('OUTPUT0')]!.length, 0);
      assert.equal(raw[names.indexOf('OUTPUT1')]!.readInt32LE(0), 5);
      const status = await call('SystemSharedMemoryStatus', { name: 'g' });
      assert.deepEqual(status['regions'], { g: { name: 'g', key, offset: '0', byte_size: '128' } });
      await assert.rejects(call('ModelInfer', { model_name: 'simple', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 16], parameters: { shared_memory_region: { string_param: 'g' } } }] }), fails(grpc.status.INVALID_ARGUMENT, "'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for tensor 'INPUT0'"));
    } finally {
      await call('SystemSharedMemoryUnregister', {});
      rmSync(file, { force: true });
    }
  });

  it('classifies with an int64 parameter and rejects other kinds', async () => {
    const inputs = [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 16] }, { name: 'INPUT1', datatype: 'INT32', shape: [1, 16] }];
    const raw = [int32(Array.from({ length: 16 }, (_, i) => i)), int32(Array(16).fill(0))];
    const res = await call('ModelInfer', { model_name: 'simple', inputs, raw_input_contents: raw, outputs: [{ name: 'OUTPUT0', parameters: { classification: { int64_param: 2 } } }] });
    const out = (res['outputs'] as Obj[])[0]!;
    assert.deepEqual([out['datatype'], out['shape']], ['BYTES', ['1', '2']]);
    const bytes = (res['raw_output_contents'] as Buffer[])[0]!;
    assert.equal(bytes.subarray(4, 4 + bytes.readUInt32LE(0)).toString(), '15:15');
    await assert.rejects(call('ModelInfer', { model_name: 'simple', inputs, raw_input_contents: raw, outputs: [{ name: 'OUTPUT0', parameters: { classification: { string_param: '2' } } }] }), fails(grpc.status.INVALID_ARGUMENT, "invalid value type for 'classification' parameter, expected int64_param"));
  });

  it('names the last wrong input in request order and lists given inputs last first, as 2.59.1 over gRPC', async () => {
    const note = 'NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. If you want to specify the full shape including the batch dim in your input dims config, try setting max_batch_size to zero. See the model configuration docs for more info on max_batch_size.';
    const short = [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 8] }, { name: 'INPUT1', datatype: 'INT32', shape: [1, 8] }];
    await assert.rejects(call('ModelInfer', { model_name: 'simple', inputs: short, raw_input_contents: [int32(Array(8).fill(1)), int32(Array(8).fill(1))] }),
      fails(grpc.status.INVALID_ARGUMENT, `[request id: <id_unknown>] unexpected shape for input 'INPUT1' for model 'simple'. Expected [-1,16], got [1,8]. ${note}`));
    const three = ['INPUT0', 'INPUT1', 'INPUT9'].map((name) => ({ name, datatype: 'INT32', shape: [1, 16] }));
    await assert.rejects(call('ModelInfer', { model_name: 'simple', inputs: three, raw_input_contents: three.map(() => int32(Array(16).fill(1))) }),
      fails(grpc.status.INVALID_ARGUMENT, "[request id: <id_unknown>] expected 2 inputs but got 3 inputs for model 'simple'. Got input(s) ['INPUT9','INPUT1','INPUT0'], but missing required input(s) ]. Please provide all required input(s)."));
    // A right request still gets its outputs from the inputs in request order.
    const ok = await call('ModelInfer', { model_name: 'simple', inputs: [{ name: 'INPUT1', datatype: 'INT32', shape: [1, 16] }, { name: 'INPUT0', datatype: 'INT32', shape: [1, 16] }], raw_input_contents: [int32(Array(16).fill(2)), int32(Array(16).fill(5))] });
    assert.equal((ok['raw_output_contents'] as Buffer[])[1]!.readInt32LE(0), 3, 'OUTPUT1 = INPUT0 - INPUT1');
  });

  it('updates log and trace settings with 2.59.1 type checks', async () => {
    await assert.rejects(call('LogSettings', { settings: { log_info: { uint32_param: 1 } } }), fails(grpc.status.INVALID_ARGUMENT, "expect boolean for 'log_info'"));
    await assert.rejects(call('LogSettings', { settings: { log_format: { string_param: 'bogus' } } }), fails(grpc.status.INVALID_ARGUMENT, 'invalid argument for log_format, got: bogus'));
    const log = await call('LogSettings', { settings: { log_verbose_level: { uint32_param: 0 } } });
    assert.equal(Object.keys(log['settings'] as Obj).length, 6);
    const set = await call('TraceSetting', { model_name: 'simple', settings: { trace_rate: { value: ['7'] } } });
    assert.deepEqual((set['settings'] as Record<string, { value: string[] }>)['trace_rate']!.value, ['7']);
    const cleared = await call('TraceSetting', { model_name: 'simple', settings: { trace_rate: { value: [] } } });
    assert.deepEqual((cleared['settings'] as Record<string, { value: string[] }>)['trace_rate']!.value, ['1000']);
    await assert.rejects(call('TraceSetting', { settings: { trace_file: { value: ['/tmp/x'] } } }), fails(grpc.status.UNIMPLEMENTED, 'trace file location can not be updated through network protocol'));
  });

  it('keeps a stream open after request errors, and ends it with the status in triton_grpc_error mode', async () => {
    const stream = (md: grpc.Metadata): grpc.ClientDuplexStream<object, Obj> => (client['ModelStreamInfer'] as (m: grpc.Metadata) => grpc.ClientDuplexStream<object, Obj>)(md);
    const badRepeat = { model_name: 'repeat_int32', id: 'bad', inputs: [{ name: 'IN', datatype: 'INT32', shape: [2] }, { name: 'DELAY', datatype: 'UINT32', shape: [1] }, { name: 'WAIT', datatype: 'UINT32', shape: [1] }], raw_input_contents: [int32([1, 2]), int32([0]), int32([0])] };
    const good = { model_name: 'identity_int32', id: 'good', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1] }], raw_input_contents: [int32([9])] };
    const plain = stream(new grpc.Metadata());
    const messages: Obj[] = [];
    plain.on('data', (m: Obj) => messages.push(m));
    const plainEnd = new Promise<void>((resolve, reject) => {
      plain.on('end', resolve);
      plain.on('error', reject);
    });
    plain.write(badRepeat);
    plain.write({ model_name: 'nope', id: 'unknown' });
    plain.write(good);
    plain.end();
    await plainEnd;
    const byId = (id: string): Obj => messages.find((m) => (m['infer_response'] as Obj)['id'] === id)!;
    assert.match(String(byId('bad')['error_message']), /expected IN and DELAY to have the same number of elements/);
    assert.equal(byId('unknown')['error_message'], "Request for unknown model: 'nope' is not found");
    assert.equal(byId('good')['error_message'], '');
    const md = new grpc.Metadata();
    md.set('triton_grpc_error', 'true');
    const strict = stream(md);
    strict.on('data', () => undefined);
    const failed = new Promise<grpc.ServiceError>((resolve) => strict.on('error', resolve));
    strict.write(badRepeat);
    const err = await failed;
    assert.equal(err.code, grpc.status.INTERNAL);
    assert.match(err.details, /expected IN and DELAY to have the same number of elements/);
  });
});
