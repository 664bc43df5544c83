// From decoded component planes to PIL's interleaved pixels: libjpeg's fixed-point YCbCr->RGB
// (16-bit scaled tables, round-half-up), RGB and CMYK passed through, YCCK->CMYK, and PIL's
// inversion of 4-component images ("CMYK;I": Adobe's inverted polarity, which PIL always assumes).
import type { RowSource } from './upsample';

export type JpegColorSpace = 'gray' | 'ycbcr' | 'rgb' | 'cmyk' | 'ycck';

const ONE_HALF = 1 << 15;
const fix = (x: number): number => Math.floor(x * 65536 + 0.5);

const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> 16;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> 16;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}

/** Interleaves the components into width*height*channels bytes in the colour space PIL reports. */
export function convertColor(space: JpegColorSpace, sources: RowSource[], width: number, height: number): Uint8Array {
  const channels = sources.length;
  if (space === 'ycbcr' || space === 'ycck') {
    // Written through a clamped view: libjpeg's range limit for colour conversion is a plain 0..255 clamp.
    const out = new Uint8ClampedArray(width * height * channels);
    const [sy, sb, sr] = sources;
    const sk = sources[3];
    const yd = sy.data;
    const bd = sb.data;
    const rd = sr.data;
    for (let y = 0; y < height; y++) {
      let o = y * width * channels;
      const ry = sy.rowAt(y);
      const rb = sb.rowAt(y);
      const rr = sr.rowAt(y);
      for (let x = 0; x < width; x++, o += channels) {
        const l = yd[ry + x];
        const cb = bd[rb + x];
        const cr = rd[rr + x];
        out[o] = l + CR_R[cr];
        out[o + 1] = l + ((CB_G[cb] + CR_G[cr]) >> 16);
        out[o + 2] = l + CB_B[cb];
      }
      // YCCK decodes to inverted CMY which PIL inverts back, so both give R, G, B; K is inverted.
      if (sk) {
        const kd = sk.data;
        const rk = sk.rowAt(y);
        o = y * width * 4 + 3;
        for (let x = 0; x < width; x++, o += 4) out[o] = 255 - kd[rk + x];
      }
    }
    return new Uint8Array(out.buffer);
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
