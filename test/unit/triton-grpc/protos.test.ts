// Checks that the project's .proto files load with both protobufjs and @grpc/proto-loader and
// that names, numbers and types match the protocol reference, so a typo cannot slip through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import * as protoLoader from '@grpc/proto-loader';
import { protoDir } from '../../../src/util/protoDir';

const dir = protoDir();
// keepCase: the pbtxt schema and the wire names are the proto's own snake_case names.
const root = new protobuf.Root().loadSync([join(dir, 'grpc_service.proto'), join(dir, 'health.proto')], { keepCase: true });
root.resolveAll();

// [message, field, number, type, label] where label is '' | 'repeated' | 'map:<keyType>' | 'oneof:<name>'
type FieldSpec = [string, string, number, string, string?];

function checkFields(specs: FieldSpec[]): void {
  for (const [msg, field, id, type, label = ''] of specs) {
    const m = root.lookupType(msg);
    const f = m.fields[field];
    assert.ok(f, `${msg}.${field} missing`);
    assert.equal(f.id, id, `${msg}.${field} number`);
    assert.equal(f.type, type, `${msg}.${field} type`);
    if (label === 'repeated') assert.ok(f.repeated && !f.map, `${msg}.${field} should be repeated`);
    else if (label.startsWith('map:')) {
      assert.ok(f.map, `${msg}.${field} should be a map`);
      assert.equal((f as unknown as protobuf.MapField).keyType, label.slice(4), `${msg}.${field} key type`);
    } else if (label.startsWith('oneof:')) {
      assert.equal(f.partOf?.name, label.slice(6), `${msg}.${field} oneof`);
    } else {
      assert.ok(!f.repeated && !f.map && !f.partOf, `${msg}.${field} should be singular`);
    }
  }
}

function fieldCount(msg: string): number {
  return root.lookupType(msg).fieldsArray.length;
}

test('grpc_service.proto: inference messages match the reference', () => {
  checkFields([
    ['inference.ServerLiveResponse', 'live', 1, 'bool'],
    ['inference.ServerReadyResponse', 'ready', 1, 'bool'],
    ['inference.ModelReadyRequest', 'name', 1, 'string'],
    ['inference.ModelReadyRequest', 'version', 2, 'string'],
    ['inference.ServerMetadataResponse', 'extensions', 3, 'string', 'repeated'],
    ['inference.ModelMetadataResponse.TensorMetadata', 'shape', 3, 'int64', 'repeated'],
    ['inference.ModelMetadataResponse', 'versions', 2, 'string', 'repeated'],
    ['inference.ModelMetadataResponse', 'platform', 3, 'string'],
    ['inference.ModelMetadataResponse', 'inputs', 4, 'TensorMetadata', 'repeated'],
    ['inference.ModelMetadataResponse', 'outputs', 5, 'TensorMetadata', 'repeated'],
    ['inference.InferParameter', 'bool_param', 1, 'bool', 'oneof:parameter_choice'],
    ['inference.InferParameter', 'int64_param', 2, 'int64', 'oneof:parameter_choice'],
    ['inference.InferParameter', 'string_param', 3, 'string', 'oneof:parameter_choice'],
    ['inference.InferParameter', 'double_param', 4, 'double', 'oneof:parameter_choice'],
    ['inference.InferParameter', 'uint64_param', 5, 'uint64', 'oneof:parameter_choice'],
    ['inference.InferTensorContents', 'bool_contents', 1, 'bool', 'repeated'],
    ['inference.InferTensorContents', 'int_contents', 2, 'int32', 'repeated'],
    ['inference.InferTensorContents', 'int64_contents', 3, 'int64', 'repeated'],
    ['inference.InferTensorContents', 'uint_contents', 4, 'uint32', 'repeated'],
    ['inference.InferTensorContents', 'uint64_contents', 5, 'uint64', 'repeated'],
    ['inference.InferTensorContents', 'fp32_contents', 6, 'float', 'repeated'],
    ['inference.InferTensorContents', 'fp64_contents', 7, 'double', 'repeated'],
    ['inference.InferTensorContents', 'bytes_contents', 8, 'bytes', 'repeated'],
    ['inference.ModelInferRequest.InferInputTensor', 'name', 1, 'string'],
    ['inference.ModelInferRequest.InferInputTensor', 'datatype', 2, 'string'],
    ['inference.ModelInferRequest.InferInputTensor', 'shape', 3, 'int64', 'repeated'],
    ['inference.ModelInferRequest.InferInputTensor', 'parameters', 4, 'InferParameter', 'map:string'],
    ['inference.ModelInferRequest.InferInputTensor', 'contents', 5, 'InferTensorContents'],
    ['inference.ModelInferRequest.InferRequestedOutputTensor', 'name', 1, 'string'],
    ['inference.ModelInferRequest.InferRequestedOutputTensor', 'parameters', 2, 'InferParameter', 'map:string'],
    ['inference.ModelInferRequest', 'model_name', 1, 'string'],
    ['inference.ModelInferRequest', 'model_version', 2, 'string'],
    ['inference.ModelInferRequest', 'id', 3, 'string'],
    ['inference.ModelInferRequest', 'parameters', 4, 'InferParameter', 'map:string'],
    ['inference.ModelInferRequest', 'inputs', 5, 'InferInputTensor', 'repeated'],
    ['inference.ModelInferRequest', 'outputs', 6, 'InferRequestedOutputTensor', 'repeated'],
    ['inference.ModelInferRequest', 'raw_input_contents', 7, 'bytes', 'repeated'],
    ['inference.ModelInferResponse.InferOutputTensor', 'parameters', 4, 'InferParameter', 'map:string'],
    ['inference.ModelInferResponse.InferOutputTensor', 'contents', 5, 'InferTensorContents'],
    ['inference.ModelInferResponse', 'model_version', 2, 'string'],
    ['inference.ModelInferResponse', 'id', 3, 'string'],
    ['inference.ModelInferResponse', 'outputs', 5, 'InferOutputTensor', 'repeated'],
    ['inference.ModelInferResponse', 'raw_output_contents', 6, 'bytes', 'repeated'],
    ['inference.ModelStreamInferResponse', 'error_message', 1, 'string'],
    ['inference.ModelStreamInferResponse', 'infer_response', 2, 'ModelInferResponse'],
    ['inference.ModelConfigResponse', 'config', 1, 'ModelConfig'],
    ['inference.StatisticDuration', 'count', 1, 'uint64'],
    ['inference.StatisticDuration', 'ns', 2, 'uint64'],
    ['inference.InferStatistics', 'cache_hit', 7, 'StatisticDuration'],
    ['inference.InferStatistics', 'cache_miss', 8, 'StatisticDuration'],
    ['inference.InferResponseStatistics', 'empty_response', 5, 'StatisticDuration'],
    ['inference.InferResponseStatistics', 'cancel', 6, 'StatisticDuration'],
    ['inference.InferBatchStatistics', 'batch_size', 1, 'uint64'],
    ['inference.MemoryUsage', 'id', 2, 'int64'],
    ['inference.ModelStatistics', 'last_inference', 3, 'uint64'],
    ['inference.ModelStatistics', 'batch_stats', 7, 'InferBatchStatistics', 'repeated'],
    ['inference.ModelStatistics', 'memory_usage', 8, 'MemoryUsage', 'repeated'],
    ['inference.ModelStatistics', 'response_stats', 9, 'InferResponseStatistics', 'map:string'],
    ['inference.ModelStatisticsResponse', 'model_stats', 1, 'ModelStatistics', 'repeated'],
    ['inference.ModelRepositoryParameter', 'bytes_param', 4, 'bytes', 'oneof:parameter_choice'],
    ['inference.RepositoryIndexRequest', 'ready', 2, 'bool'],
    ['inference.RepositoryIndexResponse.ModelIndex', 'reason', 4, 'string'],
    ['inference.RepositoryModelLoadRequest', 'model_name', 2, 'string'],
    ['inference.RepositoryModelLoadRequest', 'parameters', 3, 'ModelRepositoryParameter', 'map:string'],
    ['inference.RepositoryModelUnloadRequest', 'parameters', 3, 'ModelRepositoryParameter', 'map:string'],
    ['inference.SystemSharedMemoryStatusResponse.RegionStatus', 'offset', 3, 'uint64'],
    ['inference.SystemSharedMemoryStatusResponse', 'regions', 1, 'RegionStatus', 'map:string'],
    ['inference.SystemSharedMemoryRegisterRequest', 'key', 2, 'string'],
    ['inference.SystemSharedMemoryRegisterRequest', 'byte_size', 4, 'uint64'],
    ['inference.CudaSharedMemoryStatusResponse.RegionStatus', 'device_id', 2, 'uint64'],
    ['inference.CudaSharedMemoryRegisterRequest', 'raw_handle', 2, 'bytes'],
    ['inference.CudaSharedMemoryRegisterRequest', 'device_id', 3, 'int64'],
    ['inference.CudaSharedMemoryRegisterRequest', 'byte_size', 4, 'uint64'],
    ['inference.TraceSettingRequest.SettingValue', 'value', 1, 'string', 'repeated'],
    ['inference.TraceSettingRequest', 'model_name', 2, 'string'],
    ['inference.LogSettingsRequest.SettingValue', 'uint32_param', 2, 'uint32', 'oneof:parameter_choice'],
    ['inference.LogSettingsResponse', 'settings', 1, 'SettingValue', 'map:string'],
  ]);
  assert.equal(fieldCount('inference.ModelInferRequest'), 7);
  assert.equal(fieldCount('inference.ModelInferResponse'), 6);
  assert.equal(fieldCount('inference.InferTensorContents'), 8);
  assert.equal(fieldCount('inference.ModelStatistics'), 9);
});

test('grpc_service.proto: the service has all 20 RPCs, only ModelStreamInfer streams', () => {
  const svc = root.lookupService('inference.GRPCInferenceService');
  const expected = [
    'ServerLive', 'ServerReady', 'ModelReady', 'ServerMetadata', 'ModelMetadata', 'ModelInfer',
    'ModelStreamInfer', 'ModelConfig', 'ModelStatistics', 'RepositoryIndex', 'RepositoryModelLoad',
    'RepositoryModelUnload', 'SystemSharedMemoryStatus', 'SystemSharedMemoryRegister',
    'SystemSharedMemoryUnregister', 'CudaSharedMemoryStatus', 'CudaSharedMemoryRegister',
    'CudaSharedMemoryUnregister', 'TraceSetting', 'LogSettings',
  ];
  assert.deepEqual(svc.methodsArray.map((m) => m.name), expected);
  for (const m of svc.methodsArray) {
    const streaming = m.name === 'ModelStreamInfer';
    assert.equal(Boolean(m.requestStream), streaming, `${m.name} request stream`);
    assert.equal(Boolean(m.responseStream), streaming, `${m.name} response stream`);
    if (!streaming) {
      assert.equal(m.requestType, `${m.name}Request`);
      assert.equal(m.responseType, `${m.name}Response`);
    }
  }
  assert.equal(svc.methods.ModelStreamInfer.requestType, 'ModelInferRequest');
  assert.equal(svc.methods.ModelStreamInfer.responseType, 'ModelStreamInferResponse');
});

test('model_config.proto: enums have every value with the right number', () => {
  const enums: Record<string, Record<string, number>> = {
    'inference.DataType': {
      TYPE_INVALID: 0, TYPE_BOOL: 1, TYPE_UINT8: 2, TYPE_UINT16: 3, TYPE_UINT32: 4, TYPE_UINT64: 5,
      TYPE_INT8: 6, TYPE_INT16: 7, TYPE_INT32: 8, TYPE_INT64: 9, TYPE_FP16: 10, TYPE_FP32: 11,
      TYPE_FP64: 12, TYPE_STRING: 13, TYPE_BF16: 14,
    },
    'inference.ModelInstanceGroup.Kind': { KIND_AUTO: 0, KIND_GPU: 1, KIND_CPU: 2, KIND_MODEL: 3 },
    'inference.ModelInstanceGroup.SecondaryDevice.SecondaryDeviceKind': { KIND_NVDLA: 0 },
    'inference.ModelInput.Format': { FORMAT_NONE: 0, FORMAT_NHWC: 1, FORMAT_NCHW: 2 },
    'inference.BatchInput.Kind': {
      BATCH_ELEMENT_COUNT: 0, BATCH_ACCUMULATED_ELEMENT_COUNT: 1, BATCH_ACCUMULATED_ELEMENT_COUNT_WITH_ZERO: 2,
      BATCH_MAX_ELEMENT_COUNT_AS_SHAPE: 3, BATCH_ITEM_SHAPE: 4, BATCH_ITEM_SHAPE_FLATTEN: 5,
    },
    'inference.BatchOutput.Kind': { BATCH_SCATTER_WITH_INPUT_SHAPE: 0 },
    'inference.ModelOptimizationPolicy.ModelPriority': { PRIORITY_DEFAULT: 0, PRIORITY_MAX: 1, PRIORITY_MIN: 2 },
    'inference.ModelQueuePolicy.TimeoutAction': { REJECT: 0, DELAY: 1 },
    'inference.ModelSequenceBatching.Control.Kind': {
      CONTROL_SEQUENCE_START: 0, CONTROL_SEQUENCE_READY: 1, CONTROL_SEQUENCE_END: 2, CONTROL_SEQUENCE_CORRID: 3,
    },
    'grpc.health.v1.HealthCheckResponse.ServingStatus': { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 },
  };
  for (const [name, values] of Object.entries(enums)) {
    assert.deepEqual({ ...root.lookupEnum(name).values }, values, name);
  }
});

test('model_config.proto: ModelConfig fields, in declaration order, with oneofs and maps', () => {
  const expected: FieldSpec[] = [
    ['inference.ModelConfig', 'name', 1, 'string'],
    ['inference.ModelConfig', 'platform', 2, 'string'],
    ['inference.ModelConfig', 'backend', 17, 'string'],
    ['inference.ModelConfig', 'runtime', 25, 'string'],
    ['inference.ModelConfig', 'version_policy', 3, 'ModelVersionPolicy'],
    ['inference.ModelConfig', 'max_batch_size', 4, 'int32'],
    ['inference.ModelConfig', 'input', 5, 'ModelInput', 'repeated'],
    ['inference.ModelConfig', 'output', 6, 'ModelOutput', 'repeated'],
    ['inference.ModelConfig', 'batch_input', 20, 'BatchInput', 'repeated'],
    ['inference.ModelConfig', 'batch_output', 21, 'BatchOutput', 'repeated'],
    ['inference.ModelConfig', 'optimization', 12, 'ModelOptimizationPolicy'],
    ['inference.ModelConfig', 'dynamic_batching', 11, 'ModelDynamicBatching', 'oneof:scheduling_choice'],
    ['inference.ModelConfig', 'sequence_batching', 13, 'ModelSequenceBatching', 'oneof:scheduling_choice'],
    ['inference.ModelConfig', 'ensemble_scheduling', 15, 'ModelEnsembling', 'oneof:scheduling_choice'],
    ['inference.ModelConfig', 'instance_group', 7, 'ModelInstanceGroup', 'repeated'],
    ['inference.ModelConfig', 'default_model_filename', 8, 'string'],
    ['inference.ModelConfig', 'cc_model_filenames', 9, 'string', 'map:string'],
    ['inference.ModelConfig', 'metric_tags', 10, 'string', 'map:string'],
    ['inference.ModelConfig', 'parameters', 14, 'ModelParameter', 'map:string'],
    ['inference.ModelConfig', 'model_warmup', 16, 'ModelWarmup', 'repeated'],
    ['inference.ModelConfig', 'model_operations', 18, 'ModelOperations'],
    ['inference.ModelConfig', 'model_transaction_policy', 19, 'ModelTransactionPolicy'],
    ['inference.ModelConfig', 'model_repository_agents', 23, 'ModelRepositoryAgents'],
    ['inference.ModelConfig', 'response_cache', 24, 'ModelResponseCache'],
    ['inference.ModelConfig', 'model_metrics', 26, 'ModelMetrics'],
  ];
  checkFields(expected);
  assert.deepEqual(root.lookupType('inference.ModelConfig').fieldsArray.map((f) => f.name), expected.map((e) => e[1]));
});

test('model_config.proto: nested messages match the reference', () => {
  checkFields([
    ['inference.ModelVersionPolicy', 'latest', 1, 'Latest', 'oneof:policy_choice'],
    ['inference.ModelVersionPolicy', 'all', 2, 'All', 'oneof:policy_choice'],
    ['inference.ModelVersionPolicy', 'specific', 3, 'Specific', 'oneof:policy_choice'],
    ['inference.ModelVersionPolicy.Latest', 'num_versions', 1, 'uint32'],
    ['inference.ModelVersionPolicy.Specific', 'versions', 1, 'int64', 'repeated'],
    ['inference.ModelInput', 'data_type', 2, 'DataType'],
    ['inference.ModelInput', 'format', 3, 'Format'],
    ['inference.ModelInput', 'dims', 4, 'int64', 'repeated'],
    ['inference.ModelInput', 'reshape', 5, 'ModelTensorReshape'],
    ['inference.ModelInput', 'is_shape_tensor', 6, 'bool'],
    ['inference.ModelInput', 'allow_ragged_batch', 7, 'bool'],
    ['inference.ModelInput', 'optional', 8, 'bool'],
    ['inference.ModelInput', 'is_non_linear_format_io', 9, 'bool'],
    ['inference.ModelOutput', 'dims', 3, 'int64', 'repeated'],
    ['inference.ModelOutput', 'reshape', 5, 'ModelTensorReshape'],
    ['inference.ModelOutput', 'label_filename', 4, 'string'],
    ['inference.ModelOutput', 'is_non_linear_format_io', 7, 'bool'],
    ['inference.ModelTensorReshape', 'shape', 1, 'int64', 'repeated'],
    ['inference.BatchInput', 'kind', 1, 'Kind'],
    ['inference.BatchInput', 'target_name', 2, 'string', 'repeated'],
    ['inference.BatchInput', 'data_type', 3, 'DataType'],
    ['inference.BatchInput', 'source_input', 4, 'string', 'repeated'],
    ['inference.BatchOutput', 'target_name', 1, 'string', 'repeated'],
    ['inference.BatchOutput', 'kind', 2, 'Kind'],
    ['inference.ModelInstanceGroup', 'kind', 4, 'Kind'],
    ['inference.ModelInstanceGroup', 'count', 2, 'int32'],
    ['inference.ModelInstanceGroup', 'rate_limiter', 6, 'ModelRateLimiter'],
    ['inference.ModelInstanceGroup', 'gpus', 3, 'int32', 'repeated'],
    ['inference.ModelInstanceGroup', 'secondary_devices', 8, 'SecondaryDevice', 'repeated'],
    ['inference.ModelInstanceGroup', 'profile', 5, 'string', 'repeated'],
    ['inference.ModelInstanceGroup', 'passive', 7, 'bool'],
    ['inference.ModelInstanceGroup', 'host_policy', 9, 'string'],
    ['inference.ModelInstanceGroup.SecondaryDevice', 'kind', 1, 'SecondaryDeviceKind'],
    ['inference.ModelInstanceGroup.SecondaryDevice', 'device_id', 2, 'int64'],
    ['inference.ModelRateLimiter', 'resources', 1, 'Resource', 'repeated'],
    ['inference.ModelRateLimiter', 'priority', 2, 'uint32'],
    ['inference.ModelRateLimiter.Resource', 'global', 2, 'bool'],
    ['inference.ModelRateLimiter.Resource', 'count', 3, 'uint32'],
    ['inference.ModelOptimizationPolicy', 'graph', 1, 'Graph'],
    ['inference.ModelOptimizationPolicy', 'priority', 2, 'ModelPriority'],
    ['inference.ModelOptimizationPolicy', 'cuda', 3, 'Cuda'],
    ['inference.ModelOptimizationPolicy', 'execution_accelerators', 4, 'ExecutionAccelerators'],
    ['inference.ModelOptimizationPolicy', 'input_pinned_memory', 5, 'PinnedMemoryBuffer'],
    ['inference.ModelOptimizationPolicy', 'output_pinned_memory', 6, 'PinnedMemoryBuffer'],
    ['inference.ModelOptimizationPolicy', 'gather_kernel_buffer_threshold', 7, 'uint32'],
    ['inference.ModelOptimizationPolicy', 'eager_batching', 8, 'bool'],
    ['inference.ModelOptimizationPolicy.Graph', 'level', 1, 'int32'],
    ['inference.ModelOptimizationPolicy.Cuda', 'graphs', 1, 'bool'],
    ['inference.ModelOptimizationPolicy.Cuda', 'busy_wait_events', 2, 'bool'],
    ['inference.ModelOptimizationPolicy.Cuda', 'graph_spec', 3, 'GraphSpec', 'repeated'],
    ['inference.ModelOptimizationPolicy.Cuda', 'output_copy_stream', 4, 'bool'],
    ['inference.ModelOptimizationPolicy.Cuda.GraphSpec', 'batch_size', 1, 'int32'],
    ['inference.ModelOptimizationPolicy.Cuda.GraphSpec', 'input', 2, 'Shape', 'map:string'],
    ['inference.ModelOptimizationPolicy.Cuda.GraphSpec', 'graph_lower_bound', 3, 'LowerBound'],
    ['inference.ModelOptimizationPolicy.Cuda.GraphSpec.Shape', 'dim', 1, 'int64', 'repeated'],
    ['inference.ModelOptimizationPolicy.Cuda.GraphSpec.LowerBound', 'batch_size', 1, 'int32'],
    ['inference.ModelOptimizationPolicy.Cuda.GraphSpec.LowerBound', 'input', 2, 'Shape', 'map:string'],
    ['inference.ModelOptimizationPolicy.ExecutionAccelerators', 'gpu_execution_accelerator', 1, 'Accelerator', 'repeated'],
    ['inference.ModelOptimizationPolicy.ExecutionAccelerators', 'cpu_execution_accelerator', 2, 'Accelerator', 'repeated'],
    ['inference.ModelOptimizationPolicy.ExecutionAccelerators.Accelerator', 'parameters', 2, 'string', 'map:string'],
    ['inference.ModelOptimizationPolicy.PinnedMemoryBuffer', 'enable', 1, 'bool'],
    ['inference.ModelQueuePolicy', 'timeout_action', 1, 'TimeoutAction'],
    ['inference.ModelQueuePolicy', 'default_timeout_microseconds', 2, 'uint64'],
    ['inference.ModelQueuePolicy', 'allow_timeout_override', 3, 'bool'],
    ['inference.ModelQueuePolicy', 'max_queue_size', 4, 'uint32'],
    ['inference.ModelDynamicBatching', 'preferred_batch_size', 1, 'int32', 'repeated'],
    ['inference.ModelDynamicBatching', 'max_queue_delay_microseconds', 2, 'uint64'],
    ['inference.ModelDynamicBatching', 'preserve_ordering', 3, 'bool'],
    ['inference.ModelDynamicBatching', 'priority_levels', 4, 'uint64'],
    ['inference.ModelDynamicBatching', 'default_priority_level', 5, 'uint64'],
    ['inference.ModelDynamicBatching', 'default_queue_policy', 6, 'ModelQueuePolicy'],
    ['inference.ModelDynamicBatching', 'priority_queue_policy', 7, 'ModelQueuePolicy', 'map:uint64'],
    ['inference.ModelSequenceBatching', 'direct', 3, 'StrategyDirect', 'oneof:strategy_choice'],
    ['inference.ModelSequenceBatching', 'oldest', 4, 'StrategyOldest', 'oneof:strategy_choice'],
    ['inference.ModelSequenceBatching', 'max_sequence_idle_microseconds', 1, 'uint64'],
    ['inference.ModelSequenceBatching', 'control_input', 2, 'ControlInput', 'repeated'],
    ['inference.ModelSequenceBatching', 'state', 5, 'State', 'repeated'],
    ['inference.ModelSequenceBatching', 'iterative_sequence', 6, 'bool'],
    ['inference.ModelSequenceBatching.Control', 'kind', 1, 'Kind'],
    ['inference.ModelSequenceBatching.Control', 'int32_false_true', 2, 'int32', 'repeated'],
    ['inference.ModelSequenceBatching.Control', 'fp32_false_true', 3, 'float', 'repeated'],
    ['inference.ModelSequenceBatching.Control', 'bool_false_true', 5, 'bool', 'repeated'],
    ['inference.ModelSequenceBatching.Control', 'data_type', 4, 'DataType'],
    ['inference.ModelSequenceBatching.ControlInput', 'control', 2, 'Control', 'repeated'],
    ['inference.ModelSequenceBatching.InitialState', 'data_type', 1, 'DataType'],
    ['inference.ModelSequenceBatching.InitialState', 'dims', 2, 'int64', 'repeated'],
    ['inference.ModelSequenceBatching.InitialState', 'zero_data', 3, 'bool', 'oneof:state_data'],
    ['inference.ModelSequenceBatching.InitialState', 'data_file', 4, 'string', 'oneof:state_data'],
    ['inference.ModelSequenceBatching.InitialState', 'name', 5, 'string'],
    ['inference.ModelSequenceBatching.State', 'input_name', 1, 'string'],
    ['inference.ModelSequenceBatching.State', 'output_name', 2, 'string'],
    ['inference.ModelSequenceBatching.State', 'data_type', 3, 'DataType'],
    ['inference.ModelSequenceBatching.State', 'dims', 4, 'int64', 'repeated'],
    ['inference.ModelSequenceBatching.State', 'initial_state', 5, 'InitialState', 'repeated'],
    ['inference.ModelSequenceBatching.State', 'use_same_buffer_for_input_output', 6, 'bool'],
    ['inference.ModelSequenceBatching.State', 'use_growable_memory', 7, 'bool'],
    ['inference.ModelSequenceBatching.StrategyDirect', 'max_queue_delay_microseconds', 1, 'uint64'],
    ['inference.ModelSequenceBatching.StrategyDirect', 'minimum_slot_utilization', 2, 'float'],
    ['inference.ModelSequenceBatching.StrategyOldest', 'max_candidate_sequences', 1, 'int32'],
    ['inference.ModelSequenceBatching.StrategyOldest', 'preferred_batch_size', 2, 'int32', 'repeated'],
    ['inference.ModelSequenceBatching.StrategyOldest', 'max_queue_delay_microseconds', 3, 'uint64'],
    ['inference.ModelSequenceBatching.StrategyOldest', 'preserve_ordering', 4, 'bool'],
    ['inference.ModelEnsembling', 'step', 1, 'Step', 'repeated'],
    ['inference.ModelEnsembling', 'max_inflight_requests', 2, 'uint32'],
    ['inference.ModelEnsembling.Step', 'model_name', 1, 'string'],
    ['inference.ModelEnsembling.Step', 'model_version', 2, 'int64'],
    ['inference.ModelEnsembling.Step', 'input_map', 3, 'string', 'map:string'],
    ['inference.ModelEnsembling.Step', 'output_map', 4, 'string', 'map:string'],
    ['inference.ModelEnsembling.Step', 'model_namespace', 5, 'string'],
    ['inference.ModelParameter', 'string_value', 1, 'string'],
    ['inference.ModelWarmup', 'name', 1, 'string'],
    ['inference.ModelWarmup', 'batch_size', 2, 'uint32'],
    ['inference.ModelWarmup', 'inputs', 3, 'Input', 'map:string'],
    ['inference.ModelWarmup', 'count', 4, 'uint32'],
    ['inference.ModelWarmup.Input', 'data_type', 1, 'DataType'],
    ['inference.ModelWarmup.Input', 'dims', 2, 'int64', 'repeated'],
    ['inference.ModelWarmup.Input', 'zero_data', 3, 'bool', 'oneof:input_data_type'],
    ['inference.ModelWarmup.Input', 'random_data', 4, 'bool', 'oneof:input_data_type'],
    ['inference.ModelWarmup.Input', 'input_data_file', 5, 'string', 'oneof:input_data_type'],
    ['inference.ModelOperations', 'op_library_filename', 1, 'string', 'repeated'],
    ['inference.ModelTransactionPolicy', 'decoupled', 1, 'bool'],
    ['inference.ModelRepositoryAgents', 'agents', 1, 'Agent', 'repeated'],
    ['inference.ModelRepositoryAgents.Agent', 'name', 1, 'string'],
    ['inference.ModelRepositoryAgents.Agent', 'parameters', 2, 'string', 'map:string'],
    ['inference.ModelResponseCache', 'enable', 1, 'bool'],
    ['inference.ModelMetrics', 'metric_control', 1, 'MetricControl', 'repeated'],
    ['inference.ModelMetrics.MetricControl', 'metric_identifier', 1, 'MetricIdentifier'],
    ['inference.ModelMetrics.MetricControl', 'histogram_options', 2, 'HistogramOptions', 'oneof:metric_options'],
    ['inference.ModelMetrics.MetricControl.MetricIdentifier', 'family', 1, 'string'],
    ['inference.ModelMetrics.MetricControl.HistogramOptions', 'buckets', 1, 'double', 'repeated'],
  ]);
  // Counts catch an extra field that the list above does not mention.
  const counts: Record<string, number> = {
    'inference.ModelConfig': 25, 'inference.ModelInput': 9, 'inference.ModelOutput': 7,
    'inference.ModelInstanceGroup': 9, 'inference.ModelOptimizationPolicy': 8,
    'inference.ModelSequenceBatching': 6, 'inference.ModelSequenceBatching.Control': 5,
    'inference.ModelSequenceBatching.State': 7, 'inference.ModelDynamicBatching': 7,
    'inference.ModelEnsembling.Step': 5, 'inference.ModelWarmup.Input': 5,
  };
  for (const [msg, n] of Object.entries(counts)) assert.equal(fieldCount(msg), n, msg);
});

test('health.proto: Check only', () => {
  const svc = root.lookupService('grpc.health.v1.Health');
  assert.deepEqual(Object.keys(svc.methods), ['Check']);
  checkFields([
    ['grpc.health.v1.HealthCheckRequest', 'service', 1, 'string'],
    ['grpc.health.v1.HealthCheckResponse', 'status', 1, 'ServingStatus'],
  ]);
});

test('@grpc/proto-loader loads all three files with the transport options', () => {
  const def = protoLoader.loadSync(['grpc_service.proto', 'health.proto'], {
    includeDirs: [dir], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  });
  const svc = def['inference.GRPCInferenceService'] as protoLoader.ServiceDefinition;
  assert.equal(Object.keys(svc).length, 20);
  assert.equal(svc.ModelInfer.path, '/inference.GRPCInferenceService/ModelInfer');
  assert.ok(svc.ModelStreamInfer.requestStream && svc.ModelStreamInfer.responseStream);
  const health = def['grpc.health.v1.Health'] as protoLoader.ServiceDefinition;
  assert.equal(health.Check.path, '/grpc.health.v1.Health/Check');
  // A round trip through the loader's codec turns enums into names and keeps snake_case keys.
  const respDef = svc.ModelConfig;
  const bytes = respDef.responseSerialize({ config: { name: 'm', max_batch_size: 8, input: [{ name: 'I', data_type: 'TYPE_FP32', dims: ['-1', '3'] }] } });
  const back = respDef.responseDeserialize(bytes) as { config: { name: string; input: { data_type: string; dims: string[] }[]; dynamic_batching?: unknown } };
  assert.equal(back.config.name, 'm');
  assert.equal(back.config.input[0]?.data_type, 'TYPE_FP32');
  assert.deepEqual(back.config.input[0]?.dims, ['-1', '3']);
});
