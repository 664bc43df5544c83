// The common case in one pass: full-resolution Y with Cb and Cr both halved each way (4:2:0),
// fancy-upsampled (h2v2 triangle filter) and converted to RGB pixel pair by pixel pair, with no
// intermediate upsampled rows. Same arithmetic as upsample.ts's h2v2 and color.ts's tables.
import { CB_B, CB_G, CLIP, CR_G, CR_R } from './color';
import type { Frame } from './frame';
import { convertYcc420Simd, convertYcc444Simd } from './ycc420Simd';

let useSimd = true;

/** Turns the WebAssembly SIMD conversion off or on (tests compare the two). */
export function setYcc420Simd(on: boolean): void {
  useSimd = on;
}

/** Whether convertYcc420 applies: 3 components, Y at full size, Cb and Cr fancy-upsampled 2x2. */
export function isFancy420(frame: Frame): boolean {
  const [y, cb, cr] = frame.components;
  return frame.components.length === 3 && frame.hMax === 2 && frame.vMax === 2 &&
    y.h === 2 && y.v === 2 && cb.h === 1 && cb.v === 1 && cr.h === 1 && cr.v === 1 && cb.sampleWidth > 2;
}

/** Whether the three components are sampled alike (4:4:4, or all 2x2 and so on): no upsampling. */
export function sameSampling(frame: Frame): boolean {
  const [y, cb, cr] = frame.components;
  return frame.components.length === 3 && [y, cb, cr].every((c) => c.h === frame.hMax && c.v === frame.vMax);
}

/** YCbCr->RGB without upsampling through WebAssembly SIMD, or undefined (color.ts then converts). */
export function convertYcc444(frame: Frame): Uint8Array | undefined {
  return useSimd ? convertYcc444Simd(frame) : undefined;
}

export function convertYcc420(frame: Frame): Uint8Array {
  const fast = useSimd ? convertYcc420Simd(frame) : undefined;
  return fast ?? convertYcc420Js(frame);
}

function convertYcc420Js(frame: Frame): Uint8Array {
  const { width, height } = frame;
  const [cy, cb, cr] = frame.components;
  const out = new Uint8Array(width * height * 3);
  const yd = cy.plane;
  const bd = cb.plane;
  const rd = cr.plane;
  const ys = cy.blocksPerLine * 8;
  const cs = cb.blocksPerLine * 8; // Cb and Cr share the layout
  const sw = cb.sampleWidth;
  const lastRow = cb.sampleHeight - 1;
  const pairs = width >> 1;
  // Local bindings for the tables: when modules are loaded one by one (tsx, ts-node) an imported
  // binding can be a property getter, far too slow to call six times per pixel.
  const clip = CLIP;
  const crR = CR_R;
  const cbB = CB_B;
  const crG = CR_G;
  const cbG = CB_G;
  // Pairs whose right-hand chroma neighbour exists; past them (at most one) the edge sample repeats.
  const inner = Math.min(pairs, sw - 1);
  for (let y = 0; y < height; y++) {
    const iy = y >> 1;
    // The row above the first and below the last is the edge row repeated (libjpeg's context rows).
    const far = (y & 1) === 1 ? Math.min(iy + 1, lastRow) : Math.max(iy - 1, 0);
    const n = iy * cs;
    const f = far * cs;
    const yr = y * ys;
    let yp = yr;
    let o = y * width * 3;
    let bCur = bd[n] * 3 + bd[f];
    let bPrev = bCur;
    let rCur = rd[n] * 3 + rd[f];
    let rPrev = rCur;
    let i = 0;
    for (let nn = n + 1, ff = f + 1; i < inner; i++, o += 6, yp += 2, nn++, ff++) {
      const bNext = bd[nn] * 3 + bd[ff];
      const rNext = rd[nn] * 3 + rd[ff];
      const b3 = bCur * 3;
      const r3 = rCur * 3;
      let u = (b3 + bPrev + 8) >> 4;
      let v = (r3 + rPrev + 8) >> 4;
      let l = yd[yp];
      out[o] = clip[l + crR[v]];
      out[o + 1] = clip[l + ((cbG[u] + crG[v]) >> 16)];
      out[o + 2] = clip[l + cbB[u]];
      u = (b3 + bNext + 7) >> 4;
      v = (r3 + rNext + 7) >> 4;
      l = yd[yp + 1];
      out[o + 3] = clip[l + crR[v]];
      out[o + 4] = clip[l + ((cbG[u] + crG[v]) >> 16)];
      out[o + 5] = clip[l + cbB[u]];
      bPrev = bCur;
      bCur = bNext;
      rPrev = rCur;
      rCur = rNext;
    }
    for (; i < pairs; i++, o += 6, yp += 2) {
      const b3 = bCur * 3;
      const r3 = rCur * 3;
      let u = (b3 + bPrev + 8) >> 4;
      let v = (r3 + rPrev + 8) >> 4;
      let l = yd[yp];
      out[o] = clip[l + crR[v]];
      out[o + 1] = clip[l + ((cbG[u] + crG[v]) >> 16)];
      out[o + 2] = clip[l + cbB[u]];
      u = (b3 + bCur + 7) >> 4;
      v = (r3 + rCur + 7) >> 4;
      l = yd[yp + 1];
      out[o + 3] = clip[l + crR[v]];
      out[o + 4] = clip[l + ((cbG[u] + crG[v]) >> 16)];
      out[o + 5] = clip[l + cbB[u]];
      bPrev = bCur;
      rPrev = rCur;
    }
    if ((width & 1) === 1) {
      // Odd width: the last chroma column feeds one more pixel (its left-hand output).
      const u = (bCur * 3 + bPrev + 8) >> 4;
      const v = (rCur * 3 + rPrev + 8) >> 4;
      const l = yd[yr + width - 1];
      out[o] = clip[l + crR[v]];
      out[o + 1] = clip[l + ((cbG[u] + crG[v]) >> 16)];
      out[o + 2] = clip[l + cbB[u]];
    }
  }
  return out;
}
