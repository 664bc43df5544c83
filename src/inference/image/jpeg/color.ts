// From decoded component planes to PIL's interleaved pixels: libjpeg's fixed-point YCbCr->RGB
// (16-bit scaled tables, round-half-up), RGB and CMYK passed through, YCCK->CMYK, and PIL's
// inversion of 4-component images ("CMYK;I": Adobe's inverted polarity, which PIL always assumes).
import type { RowSource } from './upsample';

export type JpegColorSpace = 'gray' | 'ycbcr' | 'rgb' | 'cmyk' | 'ycck';

const ONE_HALF = 1 << 15;
/** libjpeg's FIX(): a constant in 16-bit fixed point. */
export const fix = (x: number): number => Math.floor(x * 65536 + 0.5);

/** Clamp to 0..255, indexed by value + 384 (covers every sum of a sample and a table entry). */
export const CLIP = new Uint8Array(1024);
for (let i = 0; i < 1024; i++) CLIP[i] = Math.min(255, Math.max(0, i - 384));
export const CR_R = new Int32Array(256);
export const CB_B = new Int32Array(256);
export const CR_G = new Int32Array(256);
export const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = ((fix(1.402) * x + ONE_HALF) >> 16) + 384;
  CB_B[i] = ((fix(1.772) * x + ONE_HALF) >> 16) + 384;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF + (384 << 16);
}

/** Interleaves the components into width*height*channels bytes in the colour space PIL reports. */
export function convertColor(space: JpegColorSpace, sources: RowSource[], width: number, height: number): Uint8Array {
  const channels = sources.length;
  if (space === 'ycbcr' || space === 'ycck') {
    const out = new Uint8Array(width * height * channels);
    const [sy, sb, sr] = sources;
    const sk = sources[3];
    const yd = sy.data;
    const bd = sb.data;
    const rd = sr.data;
    for (let y = 0; y < height; y++) {
      const o = y * width * channels;
      if (channels === 3) yccRow(yd, sy.rowAt(y), bd, sb.rowAt(y), rd, sr.rowAt(y), out, o, width, 3);
      else {
        yccRow(yd, sy.rowAt(y), bd, sb.rowAt(y), rd, sr.rowAt(y), out, o, width, 4);
        // YCCK decodes to inverted CMY which PIL inverts back, so both give R, G, B; K is inverted.
        const kd = sk.data;
        const rk = sk.rowAt(y);
        for (let x = 0, q = o + 3; x < width; x++, q += 4) out[q] = 255 - kd[rk + x];
      }
    }
    return out;
  }
  const out = new Uint8Array(width * height * channels);
  const invert = space === 'cmyk';
  for (let c = 0; c < channels; c++) {
    const { data } = sources[c];
    for (let y = 0; y < height; y++) {
      const r = sources[c].rowAt(y);
      if (channels === 1) {
        out.set(data.subarray(r, r + width), y * width);
        continue;
      }
      let o = y * width * channels + c;
      if (invert) for (let x = 0; x < width; x++, o += channels) out[o] = 255 - data[r + x];
      else for (let x = 0; x < width; x++, o += channels) out[o] = data[r + x];
    }
  }
  return out;
}

function yccRow(yd: Uint8Array, ry: number, bd: Uint8Array, rb: number, rd: Uint8Array, rr: number, out: Uint8Array, o: number, width: number, step: number): void {
  for (let x = 0; x < width; x++, o += step) {
    const l = yd[ry + x];
    const cb = bd[rb + x];
    const cr = rd[rr + x];
    // libjpeg's range limit for colour conversion is a plain 0..255 clamp.
    out[o] = CLIP[l + CR_R[cr]];
    out[o + 1] = CLIP[l + ((CB_G[cb] + CR_G[cr]) >> 16)];
    out[o + 2] = CLIP[l + CB_B[cb]];
  }
}
