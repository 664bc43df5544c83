// Hand-assembles small ONNX model files byte by byte (protobuf wire format), for tests and fixtures.

export interface TensorSpec {
  name: string;
  /** onnx TensorProto.DataType number (1 = FLOAT, 6 = INT32, 7 = INT64, 8 = STRING, …). */
  elemType: number;
  /** Numbers are dim_value; strings are symbolic dim_param (e.g. "batch"). */
  dims: (number | string)[];
}

export interface OnnxSpec {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Names of weights stored as initializers (older exports also list them as graph inputs). */
  initializers?: string[];
}

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

const tag = (field: number, wire: number): number[] => varint((field << 3) | wire);
const int = (field: number, v: number | bigint): number[] => [...tag(field, 0), ...varint(v)];
const bytes = (field: number, body: number[]): number[] => [...tag(field, 2), ...varint(body.length), ...body];
const str = (field: number, s: string): number[] => bytes(field, [...Buffer.from(s, 'utf8')]);

function valueInfo(t: TensorSpec): number[] {
  const dims = t.dims.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  const tensorType = [...int(1, t.elemType), ...bytes(2, dims)];
  return [...str(1, t.name), ...bytes(2, bytes(1, tensorType))];
}

/** A loadable model: each output is Identity of the input at the same index (or the first input). */
export function onnxModelBytes(spec: OnnxSpec): Uint8Array {
  const graph: number[] = [];
  spec.outputs.forEach((o, i) => {
    const from = spec.inputs[Math.min(i, spec.inputs.length - 1)]?.name ?? '';
    graph.push(...bytes(1, [...str(1, from), ...str(2, o.name), ...str(3, `identity_${i}`), ...str(4, 'Identity')]));
  });
  graph.push(...str(2, 'graph'));
  for (const w of spec.initializers ?? []) {
    // TensorProto: dims = 1, data_type = 2, float_data = 4 (packed), name = 8.
    graph.push(...bytes(5, [...int(1, 1), ...int(2, 1), ...bytes(4, [0, 0, 0x80, 0x3f]), ...str(8, w)]));
  }
  for (const t of spec.inputs) graph.push(...bytes(11, valueInfo(t)));
  for (const w of spec.initializers ?? []) graph.push(...bytes(11, valueInfo({ name: w, elemType: 1, dims: [1] })));
  for (const t of spec.outputs) graph.push(...bytes(12, valueInfo(t)));
  // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 { domain = 1, version = 2 }.
  const model = [...int(1, 8), ...str(2, 'triton-workbench-tests'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 13)])];
  return Uint8Array.from(model);
}
