// The decoder without its WebAssembly kernels (as on a runtime that lacks them): every PIL fixture
// still decodes to PIL's bytes through the block-by-block JS IDCT and the JS colour conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJpeg } from '../../../src/inference/image/jpeg';
import { setWasmIdct } from '../../../src/inference/image/jpeg/decodeJpeg';
import { setYcc420Simd } from '../../../src/inference/image/jpeg/ycc420';

const dir = join(__dirname, '..', '..', 'fixtures', 'images', 'jpeg');
type Expected = { width: number; height: number; mode: string } | { error: string };
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, Expected>;

test('without WebAssembly, every decodable fixture gives PIL\'s bytes', () => {
  let checked = 0;
  try {
    setWasmIdct(false);
    setYcc420Simd(false);
    for (const [name, want] of Object.entries(manifest)) {
      if ('error' in want || name.includes('arithmetic')) continue;
      const img = decodeJpeg(new Uint8Array(readFileSync(join(dir, `${name}.jpg`))));
      const pil = new Uint8Array(readFileSync(join(dir, `${name}.raw`)));
      assert.equal(img.data.length, pil.length, name);
      let diff = -1;
      for (let i = 0; i < pil.length && diff < 0; i++) if (img.data[i] !== pil[i]) diff = i;
      assert.equal(diff, -1, `${name}: first difference at byte ${diff}`);
      checked++;
    }
  } finally {
    setWasmIdct(true);
    setYcc420Simd(true);
  }
  assert.ok(checked >= 30, `only ${checked} fixtures checked`);
});
