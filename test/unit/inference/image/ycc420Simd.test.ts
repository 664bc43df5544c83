// The WebAssembly SIMD 4:2:0 upsampling + YCbCr->RGB against the JS one, on frames laid out as the
// decoder lays them out (padded planes, odd sizes, chroma a single column pair wide) and on content
// that drives every channel past both ends of the clip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, parseFrame, type Frame } from '../../../../src/inference/image/jpeg/frame';
import { convertYcc420, convertYcc444, isFancy420, sameSampling, setYcc420Simd } from '../../../../src/inference/image/jpeg/ycc420';
import { convertColor } from '../../../../src/inference/image/jpeg/color';
import { upsampler } from '../../../../src/inference/image/jpeg/upsample';
import { convertYcc420Simd } from '../../../../src/inference/image/jpeg/ycc420Simd';

function frame420(width: number, height: number, seed: number, extremes: boolean, lumaSampling = 0x22): Frame {
  const sof = Uint8Array.of(8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, lumaSampling, 0, 2, 0x11, 1, 3, 0x11, 1);
  const f = parseFrame(sof, 0, sof.length, false, DEFAULT_LIMITS);
  let s = seed;
  for (const c of f.components) {
    for (let i = 0; i < c.plane.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      c.plane[i] = extremes ? ((s >>> 30) & 1) * 255 : s >>> 24;
    }
  }
  return f;
}

test('WebAssembly SIMD is available to this runtime, so the JPEG fixtures exercise the fast conversion', () => {
  assert.ok(convertYcc420Simd(frame420(16, 16, 1, false)));
});

const sizes: [number, number][] = [[1920, 1080], [5, 4], [6, 3], [7, 7], [35, 19], [33, 2], [64, 1], [250, 131]];
for (const [w, h] of sizes) {
  test(`4:2:0 ${w}×${h}: the SIMD conversion gives the JS conversion's bytes`, () => {
    for (const extremes of [false, true]) {
      const f = frame420(w, h, w * 7919 + h, extremes);
      assert.ok(isFancy420(f));
      let js: Uint8Array;
      try {
        setYcc420Simd(false);
        js = convertYcc420(f);
      } finally {
        setYcc420Simd(true);
      }
      const simd = convertYcc420(f);
      assert.equal(simd.length, js.length);
      let diff = -1;
      for (let i = 0; i < js.length && diff < 0; i++) if (js[i] !== simd[i]) diff = i;
      assert.equal(diff, -1, `first difference at byte ${diff} (pixel ${Math.floor(diff / 3)}, extremes: ${extremes})`);
    }
  });
}

for (const [w, h] of [[1920, 1080], [1, 1], [7, 5], [33, 17]] as [number, number][]) {
  test(`4:4:4 ${w}×${h}: the SIMD conversion gives color.ts's bytes`, () => {
    for (const extremes of [false, true]) {
      const f = frame420(w, h, w * 31 + h, extremes, 0x11);
      assert.ok(sameSampling(f));
      const js = convertColor('ycbcr', f.components.map((c) => upsampler(f, c)), w, h);
      const simd = convertYcc444(f);
      assert.ok(simd, 'WebAssembly SIMD is available to this runtime');
      let diff = -1;
      for (let i = 0; i < js.length && diff < 0; i++) if (js[i] !== simd[i]) diff = i;
      assert.equal(simd.length, js.length);
      assert.equal(diff, -1, `first difference at byte ${diff} (extremes: ${extremes})`);
    }
  });
}
