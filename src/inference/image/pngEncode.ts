// A small PNG writer for previews and thumbnails (RGBA, 8-bit, filter "up"), so the panel can show an
// image as a data: URL or save it, without a canvas on the extension side.
import { deflateSync } from 'node:zlib';
import { convert } from './convert';
import { resizeBilinear } from './resize';
import type { DecodedImage } from './types';

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 255]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** PNG bytes of an RGBA image (width × height × 4 bytes). */
export function encodePngRgba(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || rgba.length !== width * height * 4) {
    throw new RangeError(`encodePngRgba: ${rgba.length} bytes are not a ${width}×${height} RGBA image`);
  }
  const stride = width * 4;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    // "Up" filter: smooth previews compress better than unfiltered rows.
    raw[o] = y === 0 ? 0 : 2;
    for (let i = 0; i < stride; i++) {
      const v = rgba[y * stride + i]!;
      raw[o + 1 + i] = y === 0 ? v : (v - rgba[(y - 1) * stride + i]!) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

/** An RGB thumbnail that fits in maxSide × maxSide (never enlarged), resized as PIL's BILINEAR resize. */
export function thumbnail(image: DecodedImage, maxSide = 128): { width: number; height: number; rgba: Uint8Array } {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const small = resizeBilinear(convert(image, 'RGB'), width, height);
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = small.data[i * 3]!;
    rgba[i * 4 + 1] = small.data[i * 3 + 1]!;
    rgba[i * 4 + 2] = small.data[i * 3 + 2]!;
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
