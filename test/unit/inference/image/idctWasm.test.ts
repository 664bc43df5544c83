// The WebAssembly component IDCT against idct.ts block by block: random coefficients from sparse to
// dense, quantisation tables up to 16-bit signed, and values large enough that the 32-bit
// arithmetic wraps (crafted files), where both must still agree sample for sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NATURAL_ORDER } from '../../../../src/inference/image/jpeg/frame';
import { idctBlock } from '../../../../src/inference/image/jpeg/idct';
import { idctComponentWasm } from '../../../../src/inference/image/jpeg/idctWasm';

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

function check(label: string, seed: number, density: number, coefRange: number, quantRange: number): void {
  test(`IDCT in WebAssembly equals idct.ts: ${label}`, () => {
    const rnd = random(seed);
    const comp = { blocksWide: 5, blocksHigh: 3, blocksPerLine: 6, plane: new Uint8Array(6 * 8 * 4 * 8) };
    const blocks = comp.blocksPerLine * 4;
    const coefs = new Int16Array(blocks * 64);
    for (let i = 0; i < coefs.length; i++) if (i % 64 === 0 || rnd() < density) coefs[i] = Math.round((rnd() * 2 - 1) * coefRange);
    const quant = new Int32Array(64);
    for (let k = 0; k < 64; k++) quant[k] = (Math.round((rnd() * 2 - 1) * quantRange) << 16) >> 16;
    for (let i = 0; i < comp.plane.length; i++) comp.plane[i] = i & 255; // outside the blocks: kept
    const want = comp.plane.slice();
    const stride = comp.blocksPerLine * 8;
    const block = new Int32Array(64);
    const ws = new Int32Array(64);
    for (let row = 0; row < comp.blocksHigh; row++) {
      for (let col = 0; col < comp.blocksWide; col++) {
        const at = (row * comp.blocksPerLine + col) * 64;
        for (let k = 0; k < 64; k++) block[NATURAL_ORDER[k]] = coefs[at + k] * quant[NATURAL_ORDER[k]];
        idctBlock(block, want, row * 8 * stride + col * 8, stride, ws);
      }
    }
    assert.ok(idctComponentWasm(comp, coefs, quant), 'WebAssembly is available to this runtime');
    let diff = -1;
    for (let i = 0; i < want.length && diff < 0; i++) if (want[i] !== comp.plane[i]) diff = i;
    assert.equal(diff, -1, `first difference at sample ${diff}: ${comp.plane[diff]} vs ${want[diff]}`);
  });
}

check('DC only', 1, 0, 1000, 50);
check('sparse, photo-like', 2, 0.1, 200, 30);
check('dense', 3, 0.9, 500, 60);
check('dense, 16-bit extremes (wrapping arithmetic)', 4, 0.9, 32767, 32767);
check('sparse columns, large DC (shortcut paths near overflow)', 5, 0.02, 32767, 32767);
check('values either side of the SIMD path\'s 2^17 limit', 6, 0.5, 4000, 40);
check('photo-like, many blocks on the SIMD path', 7, 0.6, 120, 20);
