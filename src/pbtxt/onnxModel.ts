// Reads an ONNX model's graph inputs and outputs (names, element types, dims) straight off the wire format.
import * as protobuf from 'protobufjs';

export interface OnnxTensor {
  name: string;
  /** Triton config data type (TYPE_FP32, …), or undefined for types Triton has no name for. */
  dataType: string | undefined;
  /** ONNX element type number as stored in the file. */
  elemType: number;
  /** Dimensions; -1 for symbolic or unknown ones. Undefined when the graph gives no shape. */
  dims: number[] | undefined;
}

export interface OnnxSignature {
  inputs: OnnxTensor[];
  outputs: OnnxTensor[];
  /** Graph inputs that are also initializers: a request may override them, so a config may list them or not. */
  optionalInputs?: OnnxTensor[];
}

/** The signature with initializer inputs set apart from the required ones. */
export function splitInitializers(inputs: OnnxTensor[], outputs: OnnxTensor[], initializers: ReadonlySet<string>): OnnxSignature {
  const optional = inputs.filter((i) => initializers.has(i.name));
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs, ...(optional.length > 0 ? { optionalInputs: optional } : {}) };
}

// onnx.proto TensorProto.DataType → Triton DataType names.
const ELEM_TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'TYPE_FP32'], [2, 'TYPE_UINT8'], [3, 'TYPE_INT8'], [4, 'TYPE_UINT16'], [5, 'TYPE_INT16'], [6, 'TYPE_INT32'],
  [7, 'TYPE_INT64'], [8, 'TYPE_STRING'], [9, 'TYPE_BOOL'], [10, 'TYPE_FP16'], [11, 'TYPE_FP64'], [12, 'TYPE_UINT32'],
  [13, 'TYPE_UINT64'], [16, 'TYPE_BF16'],
]);

// Field numbers from onnx.proto: ModelProto.graph = 7; GraphProto.initializer = 5, input = 11, output = 12;
// ValueInfoProto.name = 1, type = 2; TypeProto.tensor_type = 1; TypeProto.Tensor.elem_type = 1, shape = 2;
// TensorShapeProto.dim = 1; Dimension.dim_value = 1, dim_param = 2; TensorProto.name = 8.
const WIRE_LEN = 2;
const WIRE_VARINT = 0;

export type Reader = protobuf.Reader;

function toNumber(v: number | { toNumber(): number }): number {
  return typeof v === 'number' ? v : v.toNumber();
}

/** Calls `each` for every field inside the current length-delimited span, bounds-checked. */
function fields(r: Reader, end: number, each: (field: number, wire: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new Error('field number 0');
    if (!each(field, wire)) r.skipType(wire);
  }
  if (r.pos !== end) throw new Error('a message runs past its declared length');
}

function sub(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new Error('truncated');
  return end;
}

function readString(r: Reader): string {
  const end = sub(r);
  const s = Buffer.from(r.buf.subarray(r.pos, end)).toString('utf8');
  r.pos = end;
  return s;
}

export function readTensor(r: Reader, end: number): OnnxTensor {
  const t: OnnxTensor = { name: '', dataType: undefined, elemType: 0, dims: undefined };
  fields(r, end, (f, w) => {
    if (f === 1 && w === WIRE_LEN) t.name = readString(r);
    else if (f === 2 && w === WIRE_LEN) {
      fields(r, sub(r), (tf, tw) => {
        if (tf !== 1 || tw !== WIRE_LEN) return false;
        fields(r, sub(r), (ef, ew) => {
          if (ef === 1 && ew === WIRE_VARINT) t.elemType = r.int32();
          else if (ef === 2 && ew === WIRE_LEN) t.dims = readShape(r, sub(r));
          else return false;
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  t.dataType = ELEM_TYPES.get(t.elemType);
  return t;
}

function readShape(r: Reader, end: number): number[] {
  const dims: number[] = [];
  fields(r, end, (f, w) => {
    if (f !== 1 || w !== WIRE_LEN) return false;
    let d = -1;
    fields(r, sub(r), (df, dw) => {
      if (df === 1 && dw === WIRE_VARINT) {
        const v = toNumber(r.int64() as unknown as number | { toNumber(): number });
        d = v > 0 ? v : -1;
        return true;
      }
      return false;
    });
    dims.push(d);
    return true;
  });
  return dims;
}

function readInitializerName(r: Reader, end: number): string {
  let name = '';
  fields(r, end, (f, w) => {
    if (f === 8 && w === WIRE_LEN) {
      name = readString(r);
      return true;
    }
    return false;
  });
  return name;
}

/**
 * Decodes the graph signature. Graph inputs that are initializers (weights, in older exports) are not
 * required inputs and are kept apart. Throws an Error saying what is wrong on malformed bytes.
 */
export function readOnnxSignature(bytes: Uint8Array): OnnxSignature {
  const r = protobuf.Reader.create(bytes);
  const inputs: OnnxTensor[] = [];
  const outputs: OnnxTensor[] = [];
  const initializers = new Set<string>();
  let sawGraph = false;
  try {
    fields(r, r.len, (f, w) => {
      if (f !== 7 || w !== WIRE_LEN) return false;
      sawGraph = true;
      fields(r, sub(r), (gf, gw) => {
        if (gw !== WIRE_LEN) return false;
        if (gf === 11) inputs.push(readTensor(r, sub(r)));
        else if (gf === 12) outputs.push(readTensor(r, sub(r)));
        else if (gf === 5) initializers.add(readInitializerName(r, sub(r)));
        else return false;
        return true;
      });
      return true;
    });
  } catch (e) {
    throw new Error(`not a readable ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!sawGraph) throw new Error('not an ONNX model: it has no graph');
  return splitInitializers(inputs, outputs, initializers);
}
