// GIF decoder for the first frame, as PIL's GifImagePlugin opens it: mode 'P' with the frame's palette
// ('L' when the palette is a plain grey ramp), the canvas filled with the transparent index (or 0)
// around a frame smaller than the logical screen.
import { ImageError, checkDimensions, greyPalette } from './types';
import type { DecodedImage } from './types';

export function isGif(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 6)).match(/^GIF8[79]a$/) !== null;
}

export function decodeGif(bytes: Uint8Array): DecodedImage {
  if (!isGif(bytes)) throw new ImageError('not a GIF file (no GIF87a/GIF89a signature)');
  if (bytes.length < 13) throw new ImageError(`truncated GIF at byte ${bytes.length}: screen descriptor`);
  const u16 = (o: number): number => bytes[o]! | (bytes[o + 1]! << 8);
  const width = u16(6);
  const height = u16(8);
  checkDimensions('GIF', width, height);
  const flags = bytes[10]!;
  let p = 13;
  let globalTable: Uint8Array | undefined;
  if (flags & 0x80) {
    const size = 3 << ((flags & 7) + 1);
    if (p + size > bytes.length) throw new ImageError(`truncated GIF at byte ${bytes.length}: global colour table`);
    globalTable = bytes.subarray(p, p + size);
    p += size;
  }
  let transparency: number | undefined;
  for (;;) {
    if (p >= bytes.length) throw new ImageError(`truncated GIF at byte ${p}: no image before the end of the file`);
    const block = bytes[p++]!;
    if (block === 0x3b) throw new ImageError('GIF has no image frame');
    if (block === 0x21) {
      const label = bytes[p++];
      if (label === 0xf9 && bytes[p] !== undefined && bytes[p]! >= 4 && p + 5 <= bytes.length) {
        if (bytes[p + 1]! & 1) transparency = bytes[p + 4]!;
      }
      p = skipSubBlocks(bytes, p);
      continue;
    }
    if (block !== 0x2c) throw new ImageError(`broken GIF at byte ${p - 1}: unexpected block 0x${block.toString(16)}`);
    if (p + 9 > bytes.length) throw new ImageError(`truncated GIF at byte ${bytes.length}: image descriptor`);
    const left = u16(p);
    const top = u16(p + 2);
    const fw = u16(p + 4);
    const fh = u16(p + 6);
    const fflags = bytes[p + 8]!;
    p += 9;
    let table = globalTable;
    if (fflags & 0x80) {
      const size = 3 << ((fflags & 7) + 1);
      if (p + size > bytes.length) throw new ImageError(`truncated GIF at byte ${bytes.length}: local colour table`);
      table = bytes.subarray(p, p + size);
      p += size;
    }
    if (p >= bytes.length) throw new ImageError(`truncated GIF at byte ${p}: LZW code size`);
    const minCodeSize = bytes[p++]!;
    if (minCodeSize < 1 || minCodeSize > 11) throw new ImageError(`broken GIF at byte ${p - 1}: LZW code size ${minCodeSize}`);
    const { data: lzw, end } = gatherSubBlocks(bytes, p);
    const pixels = lzwDecode(lzw, minCodeSize, fw * fh, end);
    const frame = fflags & 0x40 ? deinterlace(pixels, fw, fh) : pixels;
    const canvas = new Uint8Array(width * height).fill(transparency ?? 0);
    for (let y = 0; y < fh && top + y < height; y++) {
      const w = Math.min(fw, width - left);
      if (w > 0) canvas.set(frame.subarray(y * fw, y * fw + w), (top + y) * width + left);
    }
    const base = { format: 'GIF' as const, width, height, ...(transparency !== undefined ? { transparency } : {}) };
    if (table === undefined || isGreyRamp(table)) return { ...base, mode: 'L', data: canvas };
    const palette = greyPalette();
    palette.set(table.subarray(0, Math.min(768, table.length)));
    return { ...base, mode: 'P', data: canvas, palette };
  }
}

function isGreyRamp(table: Uint8Array): boolean {
  for (let i = 0; i + 2 < table.length; i += 3) {
    const v = i / 3;
    if (table[i] !== v || table[i + 1] !== v || table[i + 2] !== v) return false;
  }
  return true;
}

function skipSubBlocks(bytes: Uint8Array, p: number): number {
  while (p < bytes.length) {
    const n = bytes[p]!;
    p += 1 + n;
    if (n === 0) return p;
  }
  throw new ImageError(`truncated GIF at byte ${bytes.length}: extension block`);
}

function gatherSubBlocks(bytes: Uint8Array, p: number): { data: Uint8Array; end: number } {
  const parts: Uint8Array[] = [];
  while (p < bytes.length) {
    const n = bytes[p]!;
    if (n === 0) return { data: Buffer.concat(parts), end: p + 1 };
    parts.push(bytes.subarray(p + 1, Math.min(bytes.length, p + 1 + n)));
    p += 1 + n;
  }
  // Data cut short: decode what is there; the pixel count check reports the truncation.
  return { data: Buffer.concat(parts), end: bytes.length };
}

function lzwDecode(data: Uint8Array, minCodeSize: number, count: number, end: number): Uint8Array {
  const out = new Uint8Array(count);
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const stack = new Uint8Array(4097);
  for (let i = 0; i < clear; i++) {
    suffix[i] = i;
    first[i] = i;
    prefix[i] = -1;
  }
  let size = minCodeSize + 1;
  let next = eoi + 1;
  let prev = -1;
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < data.length && o < count; i++) {
    acc |= data[i]! << bits;
    bits += 8;
    while (bits >= size && o < count) {
      const code = acc & ((1 << size) - 1);
      acc >>>= size;
      bits -= size;
      if (code === clear) {
        size = minCodeSize + 1;
        next = eoi + 1;
        prev = -1;
        continue;
      }
      if (code === eoi) return finish(out, o, count, end);
      let c = code;
      let sp = 0;
      if (code >= next) {
        if (prev < 0 || code > next) throw new ImageError(`broken GIF: LZW code ${code} out of sequence at data byte ${i}`);
        stack[sp++] = first[prev]!;
        c = prev;
      }
      while (c >= 0 && sp < stack.length) {
        stack[sp++] = suffix[c]!;
        c = prefix[c]!;
      }
      while (sp > 0 && o < count) out[o++] = stack[--sp]!;
      if (prev >= 0 && next < 4096) {
        prefix[next] = prev;
        suffix[next] = first[code < next ? code : prev]!;
        first[next] = first[prev]!;
        next++;
        if (next === 1 << size && size < 12) size++;
      }
      prev = code;
    }
  }
  return finish(out, o, count, end);
}

function finish(out: Uint8Array, got: number, count: number, end: number): Uint8Array {
  if (got < count) throw new ImageError(`truncated GIF at byte ${end}: image data gives ${got} of ${count} pixels`);
  return out;
}

function deinterlace(src: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  let row = 0;
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]] as const) {
    for (let y = start; y < h; y += step, row++) out.set(src.subarray(row * w, (row + 1) * w), y * w);
  }
  return out;
}
