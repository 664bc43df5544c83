// Known string values (platforms, backends, accelerators) and enum values, with a line each.

export interface KnownValue {
  value: string;
  doc: string;
}

export const PLATFORMS: readonly KnownValue[] = [
  { value: 'onnxruntime_onnx', doc: 'ONNX model run by the `onnxruntime` backend (file `model.onnx`).' },
  { value: 'tensorrt_plan', doc: 'Serialized TensorRT engine run by the `tensorrt` backend (file `model.plan`). Built for one GPU model and TensorRT version.' },
  { value: 'pytorch_libtorch', doc: 'TorchScript model run by the `pytorch` backend (file `model.pt`).' },
  { value: 'torch_aoti', doc: 'PyTorch AOTInductor package run by the `pytorch` backend (file `model.pt2`).' },
  { value: 'tensorflow_savedmodel', doc: 'TensorFlow SavedModel directory run by the `tensorflow` backend (`model.savedmodel/`).' },
  { value: 'tensorflow_graphdef', doc: 'Frozen TensorFlow GraphDef run by the `tensorflow` backend (file `model.graphdef`).' },
  { value: 'ensemble', doc: 'A pipeline of other models described by `ensemble_scheduling`; no model file and no `backend`.' },
];

export const BACKENDS: readonly KnownValue[] = [
  { value: 'onnxruntime', doc: 'ONNX Runtime (file `model.onnx`); can accelerate with TensorRT or OpenVINO.' },
  { value: 'tensorrt', doc: 'TensorRT engines (file `model.plan`).' },
  { value: 'pytorch', doc: 'PyTorch: TorchScript (`model.pt`) or AOTInductor (`model.pt2`).' },
  { value: 'tensorflow', doc: 'TensorFlow SavedModel or GraphDef.' },
  { value: 'python', doc: 'Your own Python code in `model.py` implementing `TritonPythonModel`.' },
  { value: 'openvino', doc: 'OpenVINO IR models (file `model.xml`), CPU inference.' },
  { value: 'fil', doc: 'Forest Inference Library: tree models (XGBoost, LightGBM, scikit-learn).' },
  { value: 'vllm', doc: 'LLM serving through vLLM (model described in `model.json`).' },
  { value: 'tensorrtllm', doc: 'LLM serving through TensorRT-LLM engines.' },
  { value: 'dali', doc: 'NVIDIA DALI data pre-processing pipelines (file `model.dali`).' },
  { value: 'identity', doc: 'Test backend that returns its inputs as outputs.' },
];

export const ACCELERATORS: readonly KnownValue[] = [
  { value: 'tensorrt', doc: 'Run supported parts of the graph through TensorRT (GPU).' },
  { value: 'openvino', doc: 'Run the graph through OpenVINO (CPU).' },
  { value: 'cuda', doc: 'CUDA execution settings of the framework (GPU).' },
  { value: 'gpu_io', doc: 'Keep inputs and outputs on the GPU (TensorFlow).' },
  { value: 'auto_mixed_precision', doc: 'Let the framework run parts in FP16 (TensorFlow).' },
];

const ENUM_VALUE_DOCS: Record<string, string> = {
  TYPE_INVALID: 'Not a data type; a tensor must not use it.',
  TYPE_BOOL: 'Boolean, one byte per element. Wire name `BOOL`.',
  TYPE_UINT8: 'Unsigned 8-bit integer (e.g. raw image bytes). Wire name `UINT8`.',
  TYPE_UINT16: 'Unsigned 16-bit integer. Wire name `UINT16`.',
  TYPE_UINT32: 'Unsigned 32-bit integer. Wire name `UINT32`.',
  TYPE_UINT64: 'Unsigned 64-bit integer. Wire name `UINT64`.',
  TYPE_INT8: 'Signed 8-bit integer. Wire name `INT8`.',
  TYPE_INT16: 'Signed 16-bit integer. Wire name `INT16`.',
  TYPE_INT32: 'Signed 32-bit integer. Wire name `INT32`.',
  TYPE_INT64: 'Signed 64-bit integer. Wire name `INT64`.',
  TYPE_FP16: 'IEEE half-precision float. Wire name `FP16`.',
  TYPE_FP32: '32-bit float. Wire name `FP32`.',
  TYPE_FP64: '64-bit float. Wire name `FP64`.',
  TYPE_STRING: 'Variable-length byte strings. Wire name `BYTES` (each element is length-prefixed).',
  TYPE_BF16: 'bfloat16 float. Wire name `BF16`.',
  KIND_AUTO: 'GPU when one is available (and every listed GPU exists), otherwise CPU.',
  KIND_GPU: 'Instances on GPUs: `count` per listed GPU.',
  KIND_CPU: 'Instances on the CPU: `count` in total.',
  KIND_MODEL: 'The model decides where it runs (e.g. it spreads itself over several GPUs).',
  KIND_NVDLA: 'An NVDLA deep-learning accelerator core (TensorRT on Jetson).',
  FORMAT_NONE: 'No layout given.',
  FORMAT_NHWC: 'Image in height, width, channels order (3 dims).',
  FORMAT_NCHW: 'Image in channels, height, width order (3 dims).',
  PRIORITY_DEFAULT: 'Normal priority.',
  PRIORITY_MAX: 'Highest priority.',
  PRIORITY_MIN: 'Lowest priority.',
  REJECT: 'A request that times out in the queue fails.',
  DELAY: 'A request that times out in the queue is moved behind the others.',
  CONTROL_SEQUENCE_START: 'True on the first request of a sequence.',
  CONTROL_SEQUENCE_READY: 'True when the slot holds a request to run.',
  CONTROL_SEQUENCE_END: 'True on the last request of a sequence.',
  CONTROL_SEQUENCE_CORRID: 'The correlation ID of the sequence.',
  BATCH_ELEMENT_COUNT: 'Number of elements of the source input in each request.',
  BATCH_ACCUMULATED_ELEMENT_COUNT: 'Running total of element counts, one value per request.',
  BATCH_ACCUMULATED_ELEMENT_COUNT_WITH_ZERO: 'Running total of element counts, starting with 0.',
  BATCH_MAX_ELEMENT_COUNT_AS_SHAPE: 'A tensor whose shape is the largest element count in the batch.',
  BATCH_ITEM_SHAPE: 'The shape of the source input in each request.',
  BATCH_ITEM_SHAPE_FLATTEN: 'The shapes of the source input, flattened into one list.',
  BATCH_SCATTER_WITH_INPUT_SHAPE: 'Split the output back per request using the shape of the source input.',
};

export function enumValueDoc(name: string): string | undefined {
  return ENUM_VALUE_DOCS[name];
}

/** Known values for a string field, by `Message.field`; undefined for free-form fields. */
export function knownStringValues(messageFullName: string, field: string): readonly KnownValue[] | undefined {
  const key = `${messageFullName.replace(/^inference\./, '')}.${field}`;
  if (key === 'ModelConfig.platform') return PLATFORMS;
  if (key === 'ModelConfig.backend') return BACKENDS;
  if (key === 'ModelOptimizationPolicy.ExecutionAccelerators.Accelerator.name') return ACCELERATORS;
  return undefined;
}

/** Model-config `parameters` keys that backends read, by backend (from each backend's documentation). */
const BACKEND_PARAMETERS: Record<string, readonly KnownValue[]> = {
  onnxruntime: [
    { value: 'intra_op_thread_count', doc: 'Threads used inside one operator; "0" lets ONNX Runtime pick (the number of cores).' },
    { value: 'inter_op_thread_count', doc: 'Threads used across operators when execution_mode is parallel; "0" lets ONNX Runtime pick.' },
    { value: 'execution_mode', doc: '"0" runs operators one after another (default), "1" runs graph branches in parallel.' },
    { value: 'enable_mem_arena', doc: '"1" enables ONNX Runtime\'s memory arena, "0" disables it.' },
    { value: 'enable_mem_pattern', doc: '"1" enables memory pattern planning, "0" disables it.' },
    { value: 'memory.enable_memory_arena_shrinkage', doc: 'Devices whose memory arena shrinks after each run, e.g. "cpu:0;gpu:0".' },
    { value: 'session.use_device_allocator_for_initializers', doc: '"1" allocates initializer (weight) memory with the device allocator; default "0".' },
    { value: 'cudnn_conv_algo_search', doc: 'Older form of the CUDA option: "0" exhaustive (default), "1" heuristic, "2" default algorithm.' },
    { value: 'gpu_mem_limit', doc: 'Older form of the CUDA option: GPU memory limit in bytes for the CUDA arena.' },
    { value: 'arena_extend_strategy', doc: 'Older form of the CUDA option: "0" grow by powers of two (default), "1" grow by what is requested.' },
    { value: 'do_copy_in_default_stream', doc: 'Older form of the CUDA option: "1" copies on the compute stream (default), "0" on separate streams.' },
  ],
  pytorch: [
    { value: 'DISABLE_OPTIMIZED_EXECUTION', doc: '"true" turns off TorchScript\'s optimized execution (slow first calls, sometimes slower models).' },
    { value: 'INFERENCE_MODE', doc: '"true" runs under torch.InferenceMode (no autograd bookkeeping).' },
    { value: 'DISABLE_CUDNN', doc: '"true" turns cuDNN off.' },
    { value: 'ENABLE_WEIGHT_SHARING', doc: '"true" lets instances on the same device share weights (not for stateful models).' },
    { value: 'ENABLE_CACHE_CLEANING', doc: '"true" empties the CUDA cache after every execution (slower; for out-of-memory trouble).' },
    { value: 'INTER_OP_THREAD_COUNT', doc: 'Size of the inter-op thread pool; set once for the whole backend.' },
    { value: 'INTRA_OP_THREAD_COUNT', doc: 'Threads used inside one op; set once for the whole backend.' },
    { value: 'ENABLE_JIT_EXECUTOR', doc: '"false" turns off the TorchScript JIT executor.' },
    { value: 'ENABLE_JIT_PROFILING', doc: '"false" turns off TorchScript JIT profiling.' },
  ],
  python: [
    { value: 'EXECUTION_ENV_PATH', doc: 'A packed Python environment (conda-pack tar.gz) to run model.py in; may start with $$TRITON_MODEL_DIRECTORY.' },
    { value: 'FORCE_CPU_ONLY_INPUT_TENSORS', doc: '"no" lets inputs stay in GPU memory when they arrive there; by default they are copied to the CPU.' },
  ],
  tensorrt: [
    { value: 'precision_mode', doc: '"FP16" or "INT8" lets TensorRT build lower-precision engines.' },
    { value: 'max_workspace_size_bytes', doc: 'Workspace TensorRT may use while building, in bytes.' },
    { value: 'trt_engine_cache_enable', doc: '"1" keeps built engines on disk so later loads skip the build.' },
    { value: 'trt_engine_cache_path', doc: 'Folder for the cached engines.' },
    { value: 'trt_timing_cache_enable', doc: '"1" keeps TensorRT\'s timing cache to speed up later builds.' },
    { value: 'trt_timing_cache_path', doc: 'Folder for the timing cache.' },
    { value: 'trt_builder_optimization_level', doc: 'How hard TensorRT searches while building, e.g. "3".' },
    { value: 'trt_cuda_graph_enable', doc: '"1" runs the engines through CUDA graphs.' },
  ],
};

const PLATFORM_TO_BACKEND: Record<string, string> = {
  onnxruntime_onnx: 'onnxruntime', pytorch_libtorch: 'pytorch', torch_aoti: 'pytorch', tensorrt_plan: 'tensorrt',
  tensorflow_savedmodel: 'tensorflow', tensorflow_graphdef: 'tensorflow',
};

/** `parameters` keys a model's backend reads (by backend, else by platform). */
export function modelParameterKeys(backend: string | undefined, platform: string | undefined): readonly KnownValue[] {
  const b = backend !== undefined && backend !== '' ? backend : PLATFORM_TO_BACKEND[platform ?? ''];
  if (b === 'tensorrt') return [];
  return BACKEND_PARAMETERS[b ?? ''] ?? [];
}

/** `parameters` keys of an execution accelerator (ONNX Runtime's TensorRT execution provider). */
export function acceleratorParameterKeys(accelerator: string | undefined): readonly KnownValue[] {
  return accelerator === 'tensorrt' ? BACKEND_PARAMETERS.tensorrt : [];
}
