// NumPy .npy files (format version 1.0, or 2.0 when the header outgrows 64 KiB): writing a tensor
// with the dtype numpy uses for its Triton datatype, and reading one back. Little-endian, C order.
import type { TritonDatatype } from '../triton/types';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy dtype strings for Triton datatypes (BF16 has none: it is written as float32, as tritonclient reads it). */
export const NPY_DTYPES: Readonly<Record<Exclude<TritonDatatype, 'BYTES'>, string>> = {
  BOOL: '|b1',
  UINT8: '|u1', UINT16: '<u2', UINT32: '<u4', UINT64: '<u8',
  INT8: '|i1', INT16: '<i2', INT32: '<i4', INT64: '<i8',
  FP16: '<f2', BF16: '<f4', FP32: '<f4', FP64: '<f8',
};

function headerText(descr: string, shape: readonly number[]): string {
  // numpy writes a 1-tuple as "(n,)" and a scalar as "()".
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
}

/**
 * The .npy header for `descr` and `shape`, padded with spaces and a newline so the data starts on a
 * 64-byte boundary (numpy's own alignment).
 */
export function npyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const text = headerText(descr, shape);
  let version = 1;
  let prefix = 10; // magic(6) + version(2) + u16 length
  let total = Math.ceil((prefix + text.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    version = 2;
    prefix = 12; // u32 length
    total = Math.ceil((prefix + text.length + 1) / 64) * 64;
  }
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  const length = total - prefix;
  if (version === 1) view.setUint16(8, length, true);
  else view.setUint32(8, length, true);
  const padded = text.padEnd(length - 1, ' ') + '\n';
  for (let i = 0; i < padded.length; i++) out[prefix + i] = padded.charCodeAt(i);
  return out;
}

/**
 * A complete .npy file from raw little-endian element bytes (as Triton sends them). FP16 stays
 * float16; BF16 bits are widened to float32 (numpy has no bfloat16); BOOL bytes are 0/1.
 */
export function npyFromRaw(datatype: Exclude<TritonDatatype, 'BYTES'>, shape: readonly number[], raw: Uint8Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const size = datatype === 'BF16' ? 2 : Number(NPY_DTYPES[datatype].slice(2));
  if (raw.length !== count * size) throw new Error(`${datatype} data of shape [${shape.join(', ')}] needs ${count * size} bytes, got ${raw.length}`);
  const header = npyHeader(NPY_DTYPES[datatype], shape);
  if (datatype !== 'BF16') {
    const out = new Uint8Array(header.length + raw.length);
    out.set(header, 0);
    out.set(raw, header.length);
    return out;
  }
  const out = new Uint8Array(header.length + count * 4);
  out.set(header, 0);
  for (let i = 0; i < count; i++) {
    // bfloat16 is the high half of a float32: put its two bytes on top of two zero bytes.
    out[header.length + i * 4 + 2] = raw[i * 2]!;
    out[header.length + i * 4 + 3] = raw[i * 2 + 1]!;
  }
  return out;
}

/**
 * BYTES as a fixed-width numpy bytes array ('|S<n>', n = the longest element): numpy's .npy has no
 * variable-length bytes without pickle. Trailing NUL bytes of an element do not survive (numpy strips them).
 */
export function npyFromBytes(shape: readonly number[], elements: readonly Uint8Array[]): Uint8Array {
  const width = Math.max(1, ...elements.map((e) => e.length));
  const header = npyHeader(`|S${width}`, shape);
  const out = new Uint8Array(header.length + elements.length * width);
  out.set(header, 0);
  elements.forEach((e, i) => out.set(e, header.length + i * width));
  return out;
}

export interface NpyArray {
  descr: string;
  shape: number[];
  fortranOrder: boolean;
  /** The data bytes, as stored (a view into the file). */
  data: Uint8Array;
}

/** Parses a .npy file's header and returns its data; errors say what is wrong with the file. */
export function readNpy(file: Uint8Array): NpyArray {
  if (file.length < 10 || MAGIC.some((b, i) => file[i] !== b)) throw new Error('not a .npy file (no \\x93NUMPY magic)');
  const major = file[6]!;
  if (major < 1 || major > 3) throw new Error(`.npy format version ${major}.${file[7]} is not supported`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (file.length < prefix) throw new Error('.npy header is truncated');
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (prefix + length > file.length) throw new Error(`.npy header says ${length} bytes but the file ends at ${file.length}`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(file.subarray(prefix, prefix + length));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`.npy header is not a dict with descr, fortran_order and shape: ${text.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new Error(`.npy shape (${shapeText}) is not a tuple of whole numbers`);
  return { descr, shape, fortranOrder: fortran === 'True', data: file.subarray(prefix + length) };
}
