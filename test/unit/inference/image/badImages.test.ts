// Broken, truncated, hostile and unsupported files: always an ImageError that says what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { decodeImage, detectImageFormat, ImageError } from '../../../../src/inference/image';

const DIR = join(__dirname, '../../../fixtures/images/pil');
const images = readdirSync(DIR).filter((f) => /\.(png|bmp|gif|jpg|webp)$/.test(f) && !f.startsWith('bad-'));

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

function png(width: number, height: number, depth: number, colorType: number, raw: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => decodeImage(bytes), (e: unknown) => e instanceof ImageError && pattern.test(e.message), `expected ImageError matching ${pattern}`);
}

test('format is detected from magic bytes, not the name', () => {
  assert.equal(detectImageFormat(readFileSync(join(DIR, 'png-rgb8.png'))), 'PNG');
  assert.equal(detectImageFormat(readFileSync(join(DIR, 'jpeg-gray.jpg'))), 'JPEG');
  assert.equal(detectImageFormat(readFileSync(join(DIR, 'bmp-24bit.bmp'))), 'BMP');
  assert.equal(detectImageFormat(readFileSync(join(DIR, 'gif-gray.gif'))), 'GIF');
  assert.equal(detectImageFormat(readFileSync(join(DIR, 'bad-text.png'))), undefined);
});

test('a text file named .png is "not an image"', () => {
  rejects(readFileSync(join(DIR, 'bad-text.png')), /^not an image/);
  rejects(new Uint8Array(), /^not an image/);
});

test('WebP says it is not supported', () => {
  rejects(readFileSync(join(DIR, 'bad-lossy.webp')), /lossy WebP is not supported/);
});

test('a truncated PNG names the byte where it ends', () => {
  rejects(readFileSync(join(DIR, 'bad-truncated.png')), /^truncated PNG at byte \d+/);
});

test('huge dimensions are refused before any allocation', () => {
  rejects(png(100000, 100000, 8, 0, new Uint8Array(10)), /dimensions too large: 100000×100000/);
  rejects(png(0, 5, 8, 0, new Uint8Array(10)), /invalid dimensions 0×5/);
  const bmp = Buffer.alloc(54);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(50000, 18);
  bmp.writeInt32LE(-50000, 22);
  bmp.writeUInt16LE(24, 28);
  rejects(bmp, /BMP dimensions too large/);
});

test('PNG: short image data, bad filter and bad depth are named', () => {
  rejects(png(4, 4, 8, 0, new Uint8Array(10)), /truncated PNG: image data ends/);
  rejects(png(2, 1, 8, 0, Uint8Array.from([7, 1, 2])), /unknown filter type 7 on row 0/);
  rejects(png(2, 1, 3, 0, Uint8Array.from([0, 1])), /colour type 0 with bit depth 3/);
  rejects(png(2, 1, 8, 3, Uint8Array.from([0, 1, 2])), /palette image without a PLTE chunk/);
});

test('every truncation of every fixture fails cleanly or decodes — never another error, never a hang', () => {
  for (const name of images) {
    const bytes = readFileSync(join(DIR, name));
    const step = Math.max(1, Math.floor(bytes.length / 40));
    for (let cut = 0; cut < bytes.length; cut += step) {
      try {
        decodeImage(bytes.subarray(0, cut));
      } catch (e) {
        assert.ok(e instanceof ImageError, `${name} cut at ${cut}: ${String(e)}`);
      }
    }
  }
});

test('corrupted bytes fail cleanly or decode', () => {
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (const name of images) {
    const original = readFileSync(join(DIR, name));
    for (let round = 0; round < 20; round++) {
      const bytes = Uint8Array.from(original);
      for (let k = 0; k < 4; k++) {
        const at = 8 + Math.floor(rand() * (bytes.length - 8));
        bytes[at] = Math.floor(rand() * 256);
      }
      try {
        decodeImage(bytes);
      } catch (e) {
        assert.ok(e instanceof ImageError, `${name} round ${round}: ${String(e)}`);
      }
    }
  }
});

test('a PNG whose data inflates past what its header needs is refused, not inflated', () => {
  // 4×4 grey needs 4 × (1 + 4) = 20 bytes; this stream inflates to 10 MB.
  rejects(png(4, 4, 8, 0, new Uint8Array(10_000_000)), /inflates past the 20 bytes the header calls for/);
});
