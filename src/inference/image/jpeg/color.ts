// From decoded component planes to PIL's interleaved pixels: libjpeg's fixed-point YCbCr->RGB
// (16-bit scaled tables, round-half-up), RGB and CMYK passed through, YCCK->CMYK, and PIL's
// inversion of 4-component images ("CMYK;I": Adobe's inverted polarity, which PIL always assumes).
import type { Plane } from './upsample';

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

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Interleaves `planes` into width*height*channels bytes in the colour space PIL reports. */
export function convertColor(space: JpegColorSpace, planes: Plane[], width: number, height: number): Uint8Array {
  const channels = planes.length;
  const out = new Uint8Array(width * height * channels);
  if (space === 'ycbcr' || space === 'ycck') {
    const [py, pb, pr] = planes;
    const pk = planes[3];
    for (let y = 0; y < height; y++) {
      let o = y * width * channels;
      const ry = y * py.stride;
      const rb = y * pb.stride;
      const rr = y * pr.stride;
      const rk = pk ? y * pk.stride : 0;
      for (let x = 0; x < width; x++, o += channels) {
        const l = py.data[ry + x];
        const cb = pb.data[rb + x];
        const cr = pr.data[rr + x];
        // YCCK decodes to inverted CMY which PIL inverts back, so both give R, G, B here.
        out[o] = clamp(l + CR_R[cr]);
        out[o + 1] = clamp(l + ((CB_G[cb] + CR_G[cr]) >> 16));
        out[o + 2] = clamp(l + CB_B[cb]);
        if (pk) out[o + 3] = 255 - pk.data[rk + x];
      }
    }
    return out;
  }
  const invert = space === 'cmyk';
  for (let c = 0; c < channels; c++) {
    const { data, stride } = planes[c];
    for (let y = 0; y < height; y++) {
      let o = y * width * channels + c;
      const r = y * stride;
      if (invert) for (let x = 0; x < width; x++, o += channels) out[o] = 255 - data[r + x];
      else for (let x = 0; x < width; x++, o += channels) out[o] = data[r + x];
    }
  }
  return out;
}
