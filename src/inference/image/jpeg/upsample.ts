// Chroma upsampling as libjpeg-turbo does it with do_fancy_upsampling on (its default, which PIL
// keeps): triangle filters for 2:1 horizontal (h2v1), 2:1 both ways (h2v2) and 2:1 vertical (h1v2),
// plain replication for every other integral ratio and for planes two samples wide or less.
// Rows are produced one at a time, so colour conversion reads them while they are still in cache.
import type { Frame, FrameComponent } from './frame';
import { JpegError } from './jpegError';

/** A component at full image resolution, one output row at a time. */
export interface RowSource {
  readonly data: Uint8Array;
  /** Makes row y available and returns where it starts in `data`. */
  rowAt(y: number): number;
}

export function upsampler(frame: Frame, comp: FrameComponent): RowSource {
  const stride = comp.blocksPerLine * 8;
  if (frame.hMax % comp.h !== 0 || frame.vMax % comp.v !== 0) {
    throw new JpegError('unsupported', `component ${comp.id} is sampled ${comp.h}x${comp.v} against ${frame.hMax}x${frame.vMax}: fractional sampling ratios are not supported`, 0);
  }
  const hr = frame.hMax / comp.h;
  const vr = frame.vMax / comp.v;
  const src = comp.plane;
  if (hr === 1 && vr === 1) return { data: src, rowAt: (y) => y * stride };
  const width = frame.width;
  const out = new Uint8Array(width + 1); // one spare byte: the filters write output samples in pairs
  const lastRow = comp.sampleHeight - 1;
  const lastCol = comp.sampleWidth - 1;
  const fancyWide = comp.sampleWidth > 2;
  // The row above the first and below the last is the edge row repeated (libjpeg's context rows).
  const farRow = (y: number): number => ((y & 1) === 1 ? Math.min((y >> 1) + 1, lastRow) : Math.max((y >> 1) - 1, 0));
  const pairs = (width + 1) >> 1;

  if (hr === 2 && vr === 1 && fancyWide) {
    return { data: out, rowAt: (y) => h2v1Row(src, y * stride, lastCol, out, pairs) };
  }
  if (hr === 1 && vr === 2) {
    return { data: out, rowAt: (y) => h1v2Row(src, (y >> 1) * stride, farRow(y) * stride, (y & 1) === 1 ? 2 : 1, out, width) };
  }
  if (hr === 2 && vr === 2 && fancyWide) {
    return { data: out, rowAt: (y) => h2v2Row(src, (y >> 1) * stride, farRow(y) * stride, comp.sampleWidth, out, pairs) };
  }
  return {
    data: out,
    rowAt(y) {
      const s = ((y / vr) | 0) * stride;
      for (let x = 0; x < width; x++) out[x] = src[s + ((x / hr) | 0)];
      return 0;
    },
  };
}

// Each output is 3/4 of the nearer input and 1/4 of the further; the +1/+2 biases alternate so
// rounding does not drift one way. Edge samples repeat.
function h2v1Row(src: Uint8Array, s: number, lastCol: number, out: Uint8Array, pairs: number): number {
  for (let i = 0; i < pairs; i++) {
    const c3 = src[s + i] * 3;
    out[2 * i] = (c3 + src[s + (i > 0 ? i - 1 : 0)] + 1) >> 2;
    out[2 * i + 1] = (c3 + src[s + (i < lastCol ? i + 1 : lastCol)] + 2) >> 2;
  }
  return 0;
}

function h1v2Row(src: Uint8Array, n: number, f: number, bias: number, out: Uint8Array, width: number): number {
  for (let x = 0; x < width; x++) out[x] = (src[n + x] * 3 + src[f + x] + bias) >> 2;
  return 0;
}

function h2v2Row(src: Uint8Array, n: number, f: number, sw: number, out: Uint8Array, pairs: number): number {
  // Column sums (3 * nearer row + further row) slide along the row; the edge columns repeat.
  let cur = src[n] * 3 + src[f];
  let prev = cur;
  for (let i = 0; i < pairs; i++) {
    const next = i + 1 < sw ? src[n + i + 1] * 3 + src[f + i + 1] : cur;
    const c3 = cur * 3;
    out[2 * i] = (c3 + prev + 8) >> 4;
    out[2 * i + 1] = (c3 + next + 7) >> 4;
    prev = cur;
    cur = next;
  }
  return 0;
}
