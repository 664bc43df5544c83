// Opens image bytes the way PIL's Image.open would: the format comes from the magic bytes, never
// from the file name, and the result carries PIL's mode for that file.
import { decodeBmp, isBmp } from './bmp';
import { decodeGif, isGif } from './gif';
import { decodeJpeg, JpegError } from './jpeg';
import { decodePng, isPng } from './png';
import { decodeWebp, isWebp } from './webp';
import { ImageError } from './types';
import type { DecodedImage } from './types';

export type ImageFormat = 'PNG' | 'JPEG' | 'BMP' | 'GIF' | 'WEBP';

/** The container format of some bytes, or undefined when they are not an image this tool knows. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (isPng(bytes)) return 'PNG';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'JPEG';
  if (isGif(bytes)) return 'GIF';
  if (isBmp(bytes)) return 'BMP';
  if (isWebp(bytes)) return 'WEBP';
  return undefined;
}

/** Decodes PNG, JPEG, BMP, GIF (first frame) or lossless WebP; every failure is an ImageError saying what is wrong. */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  try {
    return decodeByFormat(bytes);
  } catch (e) {
    // Typed-array allocation fails with a RangeError when the pixels do not fit in memory.
    if (e instanceof RangeError) throw new ImageError(`image too large to decode in memory (${e.message})`);
    throw e;
  }
}

function decodeByFormat(bytes: Uint8Array): DecodedImage {
  const format = detectImageFormat(bytes);
  switch (format) {
    case 'PNG':
      return decodePng(bytes);
    case 'BMP':
      return decodeBmp(bytes);
    case 'GIF':
      return decodeGif(bytes);
    case 'JPEG':
      return openJpeg(bytes);
    case 'WEBP':
      return decodeWebp(bytes);
    default:
      throw new ImageError('not an image: the bytes are not PNG, JPEG, BMP, GIF or WebP');
  }
}

const JPEG_KIND: Record<JpegError['kind'], string> = { truncated: 'truncated', corrupt: 'broken', unsupported: 'unsupported', 'too-large': 'too large' };

function openJpeg(bytes: Uint8Array): DecodedImage {
  try {
    const j = decodeJpeg(bytes);
    return { format: 'JPEG', width: j.width, height: j.height, mode: j.mode, data: j.data };
  } catch (e) {
    if (e instanceof JpegError) throw new ImageError(`${JPEG_KIND[e.kind]} JPEG: ${e.message}`);
    throw e;
  }
}
