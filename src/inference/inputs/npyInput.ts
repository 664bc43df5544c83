// A .npy file as the values of a numeric input (the one .npy reader maps its dtype to a Triton
// datatype and checks the file); string arrays are for BYTES inputs, which take text or files here.
import { readNpy } from '../npy';
import type { NumericTypedArray } from '../../triton/types';
import type { LoadedTensor } from './resolveDraft';

export function tensorFromNpy(file: Uint8Array): LoadedTensor {
  const npy = readNpy(file);
  if (npy.datatype === 'BYTES') throw new Error(`dtype '${npy.descr}' holds strings; a .npy input needs a numeric dtype (bool, int8..int64, uint8..uint64, float16, float32, float64)`);
  return { datatype: npy.datatype, shape: npy.shape, data: npy.data as NumericTypedArray };
}
