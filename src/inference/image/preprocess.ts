// image_client.py's preprocess(): convert to L or RGB, resize BILINEAR, cast to the model's datatype,
// scale (NONE / INCEPTION / VGG) and lay out as NCHW or NHWC — computed in the same arithmetic numpy
// uses for that dtype, so FP32 results match element for element.
import { numberToFp16Bits, fp16BitsToNumber, toBf16Array } from '../../triton/fp16';
import type { NumericTypedArray, TritonDatatype } from '../../triton/types';
import { convert } from './convert';
import { resizeBilinear } from './resize';
import { ImageError } from './types';
import type { DecodedImage, Image8 } from './types';

export type ImageScaling = 'NONE' | 'INCEPTION' | 'VGG';
export type ImageFormatOrder = 'NCHW' | 'NHWC';

export interface PreprocessSpec {
  channels: 1 | 3;
  height: number;
  width: number;
  format: ImageFormatOrder;
  scaling: ImageScaling;
  datatype: TritonDatatype;
}

export interface ChannelStats {
  min: number;
  max: number;
  mean: number;
}

export interface PreprocessedImage {
  /** Values in the datatype's layout (FP16/BF16 as raw bits, INT64/UINT64 as bigint arrays). */
  data: NumericTypedArray;
  /** [C, H, W] for NCHW, [H, W, C] for NHWC (no batch dimension). */
  shape: number[];
  datatype: TritonDatatype;
  /** Per channel, over the values sent (after scaling). */
  stats: ChannelStats[];
  /** The resized image, which is what the tensor holds before scaling. */
  preview: { width: number; height: number; rgba: Uint8Array };
}

/** Means image_client.py subtracts for VGG: per RGB channel, or 128 for one channel. */
const VGG_MEANS: Record<1 | 3, readonly number[]> = { 1: [128], 3: [123, 117, 104] };

const INTEGER_RANGE: Partial<Record<TritonDatatype, [number, number]>> = {
  UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295], UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647], INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * Why a datatype/scaling pair is refused, or undefined when it is fine. image_client.py would send
 * float64 values (INCEPTION on integers) or wrapped-around integers (VGG on unsigned types); this tool
 * refuses both instead of sending something the model never expects.
 */
export function scalingProblem(datatype: TritonDatatype, scaling: ImageScaling, channels: 1 | 3): string | undefined {
  if (datatype === 'BOOL' || datatype === 'BYTES') return `an image cannot be sent as ${datatype}`;
  const range = INTEGER_RANGE[datatype];
  if (range === undefined) return undefined;
  if (scaling === 'INCEPTION') return `INCEPTION scaling gives values in -1..1, which ${datatype} cannot hold: use NONE, or a floating-point input`;
  const means = scaling === 'VGG' ? VGG_MEANS[channels] : [0];
  const lowest = 0 - Math.max(...means);
  const highest = 255 - Math.min(...means);
  if (lowest < range[0] || highest > range[1]) {
    const what = scaling === 'VGG' ? 'VGG scaling gives' : 'pixels take';
    return `${what} values in ${lowest}..${highest}, which ${datatype} (${range[0]}..${range[1]}) cannot hold (image_client.py would wrap them around): use ${scaling === 'VGG' ? 'NONE, or ' : ''}a wider or floating-point input`;
  }
  return undefined;
}

export function preprocessImage(image: DecodedImage, spec: PreprocessSpec): PreprocessedImage {
  const { channels: c, height: h, width: w, format, scaling, datatype } = spec;
  if (c !== 1 && c !== 3) throw new ImageError(`image inputs need 1 or 3 channels, not ${String(c)}`);
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0) throw new ImageError(`image input size ${w}×${h} is not a positive size`);
  const problem = scalingProblem(datatype, scaling, c);
  if (problem !== undefined) throw new ImageError(problem);
  const resized = resizeBilinear(convert(image, c === 1 ? 'L' : 'RGB'), w, h);
  // A pixel's value depends only on its byte and channel: 256 entries per channel, in the datatype.
  const table = scaleTable(c, scaling, datatype);
  const encoded = toTyped(table, datatype);
  const pixels = resized.data;
  const n = w * h;
  const data = new (encoded.constructor as new (length: number) => NumericTypedArray)(n * c);
  const counts = new Float64Array(c * 256);
  if (data instanceof Float32Array && encoded instanceof Float32Array) fillFloat32(data, encoded, counts, pixels, c, n, format);
  else fillAny(data, encoded, counts, pixels, c, n, format);
  return {
    data,
    shape: format === 'NCHW' ? [c, h, w] : [h, w, c],
    datatype,
    stats: channelStats(table, counts, c, n),
    preview: toRgba(resized),
  };
}

/** The common case (FP32): one monomorphic loop per layout, each channel's table looked up directly. */
function fillFloat32(data: Float32Array, table: Float32Array, counts: Float64Array, pixels: Uint8Array, c: number, n: number, format: ImageFormatOrder): void {
  if (format === 'NCHW' && c === 3) {
    // numpy's transpose((2, 0, 1)): each channel's plane written in order.
    for (let i = 0, p = 0; i < n; i++, p += 3) {
      const r = pixels[p]!;
      const g = 256 + pixels[p + 1]!;
      const b = 512 + pixels[p + 2]!;
      data[i] = table[r]!;
      data[n + i] = table[g]!;
      data[2 * n + i] = table[b]!;
      counts[r]!++;
      counts[g]!++;
      counts[b]!++;
    }
    return;
  }
  fillAny(data, table, counts, pixels, c, n, format);
}

function fillAny(data: NumericTypedArray, encoded: NumericTypedArray, counts: Float64Array, pixels: Uint8Array, c: number, n: number, format: ImageFormatOrder): void {
  const assign = data as unknown as { [i: number]: number | bigint };
  const from = encoded as unknown as { [i: number]: number | bigint };
  // numpy's transpose((2, 0, 1)) for NCHW; NHWC keeps the interleaved order.
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const k = ch * 256 + pixels[i * c + ch]!;
      assign[format === 'NCHW' ? ch * n + i : i * c + ch] = from[k]!;
      counts[k]!++;
    }
  }
}

/** Each channel's 256 possible values after the cast and scaling, rounded as numpy's dtype arithmetic rounds. */
function scaleTable(c: 1 | 3, scaling: ImageScaling, datatype: TritonDatatype): Float64Array {
  const out = new Float64Array(c * 256);
  // float32 and float16 round every intermediate result.
  const round = datatype === 'FP32' || datatype === 'BF16' ? Math.fround
    : datatype === 'FP16' ? (v: number): number => fp16BitsToNumber(numberToFp16Bits(Math.fround(v)))
    : (v: number): number => v;
  const means = VGG_MEANS[c];
  for (let ch = 0; ch < c; ch++) {
    for (let x = 0; x < 256; x++) {
      out[ch * 256 + x] = scaling === 'INCEPTION' ? round(round(x / 127.5) - 1) : scaling === 'VGG' ? round(x - means[ch]!) : x;
    }
  }
  return out;
}

function toTyped(values: Float64Array, datatype: TritonDatatype): NumericTypedArray {
  switch (datatype) {
    case 'FP32':
      return Float32Array.from(values);
    case 'FP64':
      return values;
    case 'FP16': {
      const out = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = numberToFp16Bits(values[i]!);
      return out;
    }
    case 'BF16':
      // tritonclient keeps BF16 as float32 and serialises it by dropping the low 16 bits.
      return toBf16Array(Float32Array.from(values), 'truncate');
    case 'UINT8':
      return Uint8Array.from(values);
    case 'UINT16':
      return Uint16Array.from(values);
    case 'UINT32':
      return Uint32Array.from(values);
    case 'INT8':
      return Int8Array.from(values);
    case 'INT16':
      return Int16Array.from(values);
    case 'INT32':
      return Int32Array.from(values);
    case 'INT64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'UINT64':
      return BigUint64Array.from(values, (v) => BigInt(v));
    default:
      throw new ImageError(`an image cannot be sent as ${datatype}`);
  }
}

function channelStats(table: Float64Array, counts: Float64Array, c: number, n: number): ChannelStats[] {
  const stats: ChannelStats[] = [];
  for (let ch = 0; ch < c; ch++) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let x = 0; x < 256; x++) {
      const count = counts[ch * 256 + x]!;
      if (count === 0) continue;
      const v = table[ch * 256 + x]!;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v * count;
    }
    stats.push({ min, max, mean: sum / n });
  }
  return stats;
}

function toRgba(image: Image8): { width: number; height: number; rgba: Uint8Array } {
  const n = image.width * image.height;
  const rgba = new Uint8Array(n * 4);
  const src = image.data;
  if (image.mode === 'RGB') {
    for (let i = 0, p = 0, q = 0; i < n; i++, p += 3, q += 4) {
      rgba[q] = src[p]!;
      rgba[q + 1] = src[p + 1]!;
      rgba[q + 2] = src[p + 2]!;
      rgba[q + 3] = 255;
    }
  } else {
    for (let i = 0, q = 0; i < n; i++, q += 4) {
      const v = src[i]!;
      rgba[q] = v;
      rgba[q + 1] = v;
      rgba[q + 2] = v;
      rgba[q + 3] = 255;
    }
  }
  return { width: image.width, height: image.height, rgba };
}
