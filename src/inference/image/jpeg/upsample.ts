// Chroma upsampling as libjpeg-turbo does it with do_fancy_upsampling on (its default, which PIL
// keeps): triangle filters for 2:1 horizontal (h2v1), 2:1 both ways (h2v2) and 2:1 vertical (h1v2),
// plain replication for every other integral ratio and for planes two samples wide or less.
import type { Frame, FrameComponent } from './frame';
import { JpegError } from './jpegError';

export interface Plane {
  readonly data: Uint8Array;
  readonly stride: number;
}

/** The component at full image resolution (its own plane when it is not subsampled). */
export function upsample(frame: Frame, comp: FrameComponent): Plane {
  const stride = comp.blocksPerLine * 8;
  if (frame.hMax % comp.h !== 0 || frame.vMax % comp.v !== 0) {
    throw new JpegError('unsupported', `component ${comp.id} is sampled ${comp.h}x${comp.v} against ${frame.hMax}x${frame.vMax}: fractional sampling ratios are not supported`, 0);
  }
  const hr = frame.hMax / comp.h;
  const vr = frame.vMax / comp.v;
  if (hr === 1 && vr === 1) return { data: comp.plane, stride };
  const out = new Uint8Array(frame.width * frame.height);
  const fancyWide = comp.sampleWidth > 2;
  if (hr === 2 && vr === 1 && fancyWide) h2v1(frame, comp, stride, out);
  else if (hr === 1 && vr === 2) h1v2(frame, comp, stride, out);
  else if (hr === 2 && vr === 2 && fancyWide) h2v2(frame, comp, stride, out);
  else replicate(frame, comp, stride, hr, vr, out);
  return { data: out, stride: frame.width };
}

// Each output sample is 3/4 of its nearer input and 1/4 of the further one; the +1/+2 biases alternate
// so rounding does not drift one way. Edges repeat the outermost sample.
function h2v1(frame: Frame, comp: FrameComponent, stride: number, out: Uint8Array): void {
  const { width, height } = frame;
  const src = comp.plane;
  const last = comp.sampleWidth - 1;
  for (let y = 0; y < height; y++) {
    const s = y * stride;
    const o = y * width;
    for (let i = 0, x = 0; x < width; i++, x += 2) {
      const c3 = src[s + i] * 3;
      out[o + x] = (c3 + src[s + (i > 0 ? i - 1 : 0)] + 1) >> 2;
      if (x + 1 < width) out[o + x + 1] = (c3 + src[s + (i < last ? i + 1 : last)] + 2) >> 2;
    }
  }
}

function h1v2(frame: Frame, comp: FrameComponent, stride: number, out: Uint8Array): void {
  const { width, height } = frame;
  const src = comp.plane;
  const lastRow = comp.sampleHeight - 1;
  for (let y = 0; y < height; y++) {
    const iy = y >> 1;
    const below = (y & 1) === 1;
    const far = below ? Math.min(iy + 1, lastRow) : Math.max(iy - 1, 0);
    const bias = below ? 2 : 1;
    const n = iy * stride;
    const f = far * stride;
    const o = y * width;
    for (let x = 0; x < width; x++) out[o + x] = (src[n + x] * 3 + src[f + x] + bias) >> 2;
  }
}

function h2v2(frame: Frame, comp: FrameComponent, stride: number, out: Uint8Array): void {
  const { width, height } = frame;
  const src = comp.plane;
  const sw = comp.sampleWidth;
  const lastRow = comp.sampleHeight - 1;
  const sums = new Int32Array(sw + 2);
  for (let y = 0; y < height; y++) {
    const iy = y >> 1;
    const far = (y & 1) === 1 ? Math.min(iy + 1, lastRow) : Math.max(iy - 1, 0);
    const n = iy * stride;
    const f = far * stride;
    // Vertical pass into column sums (3 * nearer row + further row), padded with the edge columns.
    for (let i = 0; i < sw; i++) sums[i + 1] = src[n + i] * 3 + src[f + i];
    sums[0] = sums[1];
    sums[sw + 1] = sums[sw];
    const o = y * width;
    for (let i = 0, x = 0; x < width; i++, x += 2) {
      const c3 = sums[i + 1] * 3;
      out[o + x] = (c3 + sums[i] + 8) >> 4;
      if (x + 1 < width) out[o + x + 1] = (c3 + sums[i + 2] + 7) >> 4;
    }
  }
}

function replicate(frame: Frame, comp: FrameComponent, stride: number, hr: number, vr: number, out: Uint8Array): void {
  const { width, height } = frame;
  const src = comp.plane;
  for (let y = 0; y < height; y++) {
    const s = ((y / vr) | 0) * stride;
    const o = y * width;
    for (let x = 0; x < width; x++) out[o + x] = src[s + ((x / hr) | 0)];
  }
}
