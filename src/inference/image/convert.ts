// Image.convert("L") and Image.convert("RGB") as PIL computes them from every mode the decoders yield.
// Alpha and transparency are dropped, never composited (PIL does the same for these two targets).
import { ImageError } from './types';
import type { DecodedImage, Image8 } from './types';

/** ITU-R 601-2 luma in PIL's 16-bit fixed point: (R*19595 + G*38470 + B*7471 + 0x8000) >> 16. */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

function clip8(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : v;
}

/** PIL's MULDIV255: a*b/255 rounded, in integer arithmetic. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

export function convert(image: DecodedImage, target: 'L' | 'RGB'): Image8 {
  const { width, height } = image;
  const n = width * height;
  const src = image.data;
  // Already in the target mode: PIL copies, but nothing downstream writes to it, so a view will do.
  if (image.mode === target && src instanceof Uint8Array) return { width, height, mode: target, data: src };
  const out = new Uint8Array(target === 'L' ? n : n * 3);
  const put = target === 'L'
    ? (i: number, r: number, g: number, b: number): void => {
        out[i] = luma(r, g, b);
      }
    : (i: number, r: number, g: number, b: number): void => {
        out[i * 3] = r;
        out[i * 3 + 1] = g;
        out[i * 3 + 2] = b;
      };
  // Grey sources go to L unchanged and to RGB replicated.
  const grey = target === 'L'
    ? (i: number, v: number): void => {
        out[i] = v;
      }
    : (i: number, v: number): void => {
        out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = v;
      };
  switch (image.mode) {
    case '1':
    case 'L':
      for (let i = 0; i < n; i++) grey(i, src[i]!);
      break;
    case 'LA':
      for (let i = 0; i < n; i++) grey(i, src[i * 2]!);
      break;
    case 'I':
    case 'I;16':
      for (let i = 0; i < n; i++) grey(i, clip8(src[i]!));
      break;
    case 'P': {
      const p = image.palette;
      if (p === undefined || p.length < 768) throw new ImageError('palette image without a 256-entry palette');
      for (let i = 0; i < n; i++) {
        const k = src[i]! * 3;
        put(i, p[k]!, p[k + 1]!, p[k + 2]!);
      }
      break;
    }
    case 'RGB':
      if (target === 'RGB') out.set(src.subarray(0, n * 3));
      else for (let i = 0; i < n; i++) out[i] = luma(src[i * 3]!, src[i * 3 + 1]!, src[i * 3 + 2]!);
      break;
    case 'RGBA':
      for (let i = 0; i < n; i++) put(i, src[i * 4]!, src[i * 4 + 1]!, src[i * 4 + 2]!);
      break;
    case 'CMYK':
      // PIL's cmyk2rgb: each channel is (255-K) - C*(255-K)/255, clipped.
      for (let i = 0; i < n; i++) {
        const nk = 255 - src[i * 4 + 3]!;
        put(i, clip8(nk - mulDiv255(src[i * 4]!, nk)), clip8(nk - mulDiv255(src[i * 4 + 1]!, nk)), clip8(nk - mulDiv255(src[i * 4 + 2]!, nk)));
      }
      break;
    default:
      throw new ImageError(`cannot convert mode ${String(image.mode)} to ${target}`);
  }
  return { width, height, mode: target, data: out };
}
