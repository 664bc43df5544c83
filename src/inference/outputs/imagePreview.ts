// Outputs shaped like an image (H×W×{1,3} or {1,3}×H×W, optionally with a leading batch of 1)
// rendered as a small RGBA picture: float types stretched from their min..max to 0..255, UINT8
// shown as is, other integer types stretched like floats. Large images are sampled down.
import type { OutputTensor, TritonDatatype } from '../../triton/types';
import { elementReader } from './values';
import type { ImageLayout } from './views';

export interface RgbaPreview {
  /** Preview size (the image sampled down so its longer side is at most the limit). */
  width: number;
  height: number;
  /** width·height·4 bytes, row-major RGBA, alpha 255. */
  rgba: Uint8Array;
  /** The image's own size. */
  sourceWidth: number;
  sourceHeight: number;
  layout: ImageLayout;
  /** The value range mapped to 0..255 (for UINT8: 0..255). */
  low: number;
  high: number;
}

/** Smallest side for an output to count as an image (a [1,3] vector is not one). */
const MIN_SIDE = 8;
export const DEFAULT_PREVIEW_SIDE = 256;

const IMAGE_TYPES: ReadonlySet<TritonDatatype> = new Set(['UINT8', 'INT8', 'UINT16', 'INT16', 'UINT32', 'INT32', 'FP16', 'BF16', 'FP32', 'FP64']);

function isChannels(n: number): n is 1 | 3 {
  return n === 1 || n === 3;
}

/**
 * The image layout of a shape, or undefined when it does not look like an image. When both ends
 * could be channels (e.g. [3, H, 3]), channels-first wins: that is the layout of most vision models.
 */
export function imageLayoutOf(shape: readonly number[], datatype: TritonDatatype): ImageLayout | undefined {
  if (!IMAGE_TYPES.has(datatype)) return undefined;
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape.slice();
  if (dims.length !== 3) return undefined;
  const [a, b, c] = dims as [number, number, number];
  if (isChannels(a) && b >= MIN_SIDE && c >= MIN_SIDE) return { channels: a, height: b, width: c, layout: 'CHW' };
  if (isChannels(c) && a >= MIN_SIDE && b >= MIN_SIDE) return { channels: c, height: a, width: b, layout: 'HWC' };
  return undefined;
}

/** An RGBA preview of an image-shaped output; undefined when the output is not image-shaped or has no values. */
export function imagePreview(tensor: OutputTensor, maxSide = DEFAULT_PREVIEW_SIDE): RgbaPreview | undefined {
  const layout = imageLayoutOf(tensor.shape, tensor.datatype);
  const reader = elementReader(tensor);
  if (layout === undefined || reader === undefined) return undefined;
  const { height: H, width: W, channels: C } = layout;
  if (reader.count !== H * W * C) return undefined;
  const step = Math.max(1, Math.ceil(Math.max(H, W) / Math.max(1, maxSide)));
  const height = Math.ceil(H / step);
  const width = Math.ceil(W / step);
  const at = layout.layout === 'CHW' ? (y: number, x: number, c: number): number => (c * H + y) * W + x : (y: number, x: number, c: number): number => (y * W + x) * C + c;

  // Sample once into a small float buffer (preview-sized), then stretch.
  const samples = new Float64Array(width * height * C);
  let low = Infinity;
  let high = -Infinity;
  let k = 0;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      for (let c = 0; c < C; c++) {
        const v = reader.number(at(py * step, px * step, c));
        samples[k++] = v;
        if (Number.isFinite(v)) {
          if (v < low) low = v;
          if (v > high) high = v;
        }
      }
    }
  }
  const stretch = tensor.datatype !== 'UINT8';
  if (!stretch || low === Infinity) {
    low = 0;
    high = 255;
  }
  const span = high - low;
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = samples[p * C + (C === 3 ? c : 0)]!;
      let byte: number;
      if (Number.isNaN(v)) byte = 0;
      else if (!stretch) byte = v;
      else if (span === 0) byte = v === Infinity ? 255 : v === -Infinity ? 0 : 128;
      else byte = Math.round(((v - low) / span) * 255);
      rgba[p * 4 + c] = byte < 0 ? 0 : byte > 255 ? 255 : byte;
    }
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba, sourceWidth: W, sourceHeight: H, layout, low, high };
}
