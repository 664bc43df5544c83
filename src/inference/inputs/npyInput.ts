// A .npy file as the values of a numeric input: dtype mapped to a Triton datatype, data copied into
// an aligned typed array (the client sends it as is). Fortran order and big-endian files are refused.
import { datatypeInfo } from '../../triton/datatypes';
import type { NumericTypedArray, TritonDatatype } from '../../triton/types';
import { NPY_DTYPES, readNpy } from '../npy';
import type { LoadedTensor } from './resolveDraft';

function datatypeOfDescr(descr: string): TritonDatatype | undefined {
  // '|u1' and '<u1' name the same dtype; '=' means native order (little-endian here).
  const normal = descr.replace(/^[=|]/, '<');
  for (const [datatype, d] of Object.entries(NPY_DTYPES)) {
    // numpy has no bfloat16: a float32 file is FP32 (a BF16 input converts it).
    if (datatype !== 'BF16' && d.replace(/^[=|]/, '<') === normal) return datatype as TritonDatatype;
  }
  return undefined;
}

export function tensorFromNpy(file: Uint8Array): LoadedTensor {
  const npy = readNpy(file);
  if (npy.fortranOrder) throw new Error('the array is stored in Fortran order; save it with numpy.ascontiguousarray first');
  if (npy.descr.startsWith('>')) throw new Error(`dtype '${npy.descr}' is big-endian; save it little-endian (astype('<…'))`);
  const datatype = datatypeOfDescr(npy.descr);
  if (datatype === undefined || datatype === 'BYTES') throw new Error(`dtype '${npy.descr}' has no numeric Triton datatype (bool, int8..int64, uint8..uint64, float16, float32, float64)`);
  const info = datatypeInfo(datatype);
  const count = npy.shape.reduce((a, b) => a * b, 1);
  const bytes = count * info.size;
  if (npy.data.length < bytes) throw new Error(`the file is truncated: shape (${npy.shape.join(', ')}) needs ${bytes} data bytes, it has ${npy.data.length}`);
  const copy = new Uint8Array(bytes);
  copy.set(npy.data.subarray(0, bytes));
  const data = new info.array!(copy.buffer, 0, count) as NumericTypedArray;
  return { datatype, shape: npy.shape, data };
}
