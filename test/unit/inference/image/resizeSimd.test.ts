// The WebAssembly SIMD passes against the JS ones: same bytes for every size and content,
// including sums that clip at 0 and 255 and upscaling (where the weights can reach past a pixel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resizeBilinear, setResizeSimd } from '../../../../src/inference/image/resize';
import { resize3Simd } from '../../../../src/inference/image/resizeSimd';
import type { Image8 } from '../../../../src/inference/image/types';

function noise(width: number, height: number, seed: number, extremes: boolean): Image8 {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = extremes ? ((s >>> 30) & 1) * 255 : s >>> 24;
  }
  return { width, height, mode: 'RGB', data };
}

function both(image: Image8, w: number, h: number): [Uint8Array, Uint8Array] {
  try {
    setResizeSimd(false);
    const js = resizeBilinear(image, w, h).data;
    setResizeSimd(true);
    return [js, resizeBilinear(image, w, h).data];
  } finally {
    setResizeSimd(true);
  }
}

test('WebAssembly SIMD is available to this runtime, so the fast pass is what the other tests exercise', () => {
  const c = { ksize: 1, bounds: Int32Array.of(0, 1), k: Int32Array.of(1 << 22) };
  const out = resize3Simd(Uint8Array.of(10, 20, 30), 1, 0, 1, 1, c, 1 << 21, 22);
  assert.deepEqual(out && [...out], [10, 20, 30]);
});

const sizes: [number, number, number, number][] = [
  [1920, 1080, 224, 224], [640, 480, 299, 299], [37, 29, 224, 224], [5, 4, 3, 2], [1, 1, 7, 3],
  [300, 17, 1000, 17], [1001, 3, 2, 3], [64, 64, 64, 32], [50, 40, 50, 7], [33, 21, 9, 80],
];
for (const [iw, ih, w, h] of sizes) {
  test(`RGB ${iw}×${ih} -> ${w}×${h}: the SIMD passes give the JS passes' bytes`, () => {
    for (const extremes of [false, true]) {
      const [js, simd] = both(noise(iw, ih, iw * 31 + ih, extremes), w, h);
      assert.equal(simd.length, js.length);
      let diff = -1;
      for (let i = 0; i < js.length && diff < 0; i++) if (js[i] !== simd[i]) diff = i;
      assert.equal(diff, -1, `first difference at byte ${diff} (extremes: ${extremes})`);
    }
  });
}

test('a memory kept from a larger image does not leak into a smaller one', () => {
  const big = noise(800, 600, 7, false);
  const small = noise(40, 30, 8, false);
  resizeBilinear(big, 100, 100);
  const [js, simd] = both(small, 13, 11);
  assert.deepEqual([...simd], [...js]);
});
