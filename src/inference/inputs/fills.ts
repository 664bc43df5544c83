// Generated values for a numeric input: zeros, ones, seeded random numbers, or a range start + i·step.
import { datatypeInfo } from '../../triton/datatypes';
import { numberToBf16Bits, numberToFp16Bits } from '../../triton/fp16';
import type { FillKind } from '../requestDraft';
import type { NumericTypedArray, TritonDatatype } from '../../triton/types';
import { InputError } from './inputError';

const INT_LIMITS: Partial<Record<TritonDatatype, [number, number]>> = {
  INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647], INT64: [-(2 ** 63), 2 ** 63 - 1],
  UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295], UINT64: [0, 2 ** 64 - 1],
};

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FillOptions {
  fill: FillKind;
  seed?: number;
  start?: number;
  step?: number;
}

/**
 * Random values: floats uniform in [0, 1); integers uniform in 0..min(255, type max) (so that
 * they read well and stay valid indices for small tables); BOOL 0 or 1.
 */
export function fillValues(options: FillOptions, datatype: TritonDatatype, count: number, input: string): NumericTypedArray {
  const info = datatypeInfo(datatype);
  if (info.array === undefined) throw new InputError(input, `a fill needs a numeric datatype; ${datatype} takes text or files`);
  const values = new Float64Array(count);
  const limits = INT_LIMITS[datatype];
  const isInt = limits !== undefined || datatype === 'BOOL';
  switch (options.fill) {
    case 'zeros': break;
    case 'ones': values.fill(1); break;
    case 'random': {
      const next = seeded(options.seed ?? 0);
      const top = datatype === 'BOOL' ? 1 : Math.min(255, limits?.[1] ?? 255);
      for (let i = 0; i < count; i++) values[i] = isInt ? Math.floor(next() * (top + 1)) : next();
      break;
    }
    case 'range': {
      const start = options.start ?? 0;
      const step = options.step ?? 1;
      for (let i = 0; i < count; i++) values[i] = start + i * step;
      if (isInt && count > 0) {
        const [lo, hi] = datatype === 'BOOL' ? [0, 1] : limits!;
        for (const [i, v] of [[0, values[0]!], [count - 1, values[count - 1]!]] as const) {
          if (!Number.isInteger(v)) throw new InputError(input, `range element ${i} is ${v}, not a whole number (${datatype}); use a whole start and step`);
          if (v < lo || v > hi) throw new InputError(input, `range element ${i} is ${v}, out of range for ${datatype} (${lo}..${hi})`);
        }
      }
      break;
    }
  }
  const out = new info.array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    if (info.bigint) (out as BigInt64Array)[i] = BigInt(v);
    else if (datatype === 'FP16') out[i] = numberToFp16Bits(v);
    else if (datatype === 'BF16') out[i] = numberToBf16Bits(v);
    else out[i] = v;
  }
  return out as NumericTypedArray;
}
