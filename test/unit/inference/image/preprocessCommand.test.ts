// The preprocess command end to end on real files: folders, outputs, refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPreprocessCommand } from '../../../../src/inference/image/preprocessCommand';
import { loadImages, ImageFileError } from '../../../../src/inference/image';
import { readNpy } from '../../../../src/inference/npy';

const DIR = join(__dirname, '../../../fixtures/images/pil');

async function run(args: string[], cwd: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPreprocessCommand(args, { cwd, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'preprocess-'));
  mkdirSync(join(dir, 'imgs'));
  for (const f of ['png-rgb8.png', 'gif-gray.gif', 'jpeg-baseline-420.jpg']) copyFileSync(join(DIR, f), join(dir, 'imgs', f));
  mkdirSync(join(dir, 'imgs', 'nested'));
  return dir;
}

test('--out-dir writes <name>.npy per image, equal to image_client.py tensors', async () => {
  const dir = workdir();
  const r = await run(['--shape', '3,10,12', '--format', 'NCHW', '--scaling', 'NONE', '--datatype', 'FP32', '--out-dir', 'out', 'imgs'], dir);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['gif-gray.npy', 'jpeg-baseline-420.npy', 'png-rgb8.npy']);
  for (const stem of ['gif-gray', 'jpeg-baseline-420', 'png-rgb8']) {
    const got = readNpy(readFileSync(join(dir, 'out', `${stem}.npy`)));
    const want = readNpy(readFileSync(join(DIR, `${stem}.spec0.npy`)));
    assert.deepEqual(got.shape, [3, 10, 12]);
    assert.deepEqual([...(got.data as Float32Array)], [...(want.data as Float32Array)], stem);
  }
  assert.equal(r.out.length, 3);
  assert.match(r.out[0]!, /gif-gray\.npy: \[3, 10, 12\] FP32 from GIF P 23×17; \[/);
});

test('--out FILE.npy for one image, UINT8 NHWC exact; .bin writes the raw tensor', async () => {
  const dir = workdir();
  const r = await run(['--shape=3,12,10', '--format=NHWC', '--datatype=UINT8', '--out', 'one.npy', 'imgs/png-rgb8.png'], dir);
  assert.equal(r.code, 0, r.err.join('\n'));
  const got = readNpy(readFileSync(join(dir, 'one.npy')));
  const want = readNpy(readFileSync(join(DIR, 'png-rgb8.spec5.npy')));
  assert.equal(got.descr, '|u1');
  assert.deepEqual(got.shape, [12, 10, 3]);
  assert.deepEqual([...(got.data as Uint8Array)], [...(want.data as Uint8Array)]);
  const b = await run(['--shape', '3,12,10', '--format', 'NHWC', '--datatype', 'UINT8', '--out', 'one.bin', 'imgs/png-rgb8.png'], dir);
  assert.equal(b.code, 0);
  assert.deepEqual([...readFileSync(join(dir, 'one.bin'))], [...(want.data as Uint8Array)]);
});

test('bad usage exits 2 with the reason and the usage', async () => {
  const dir = workdir();
  const cases: [string[], RegExp][] = [
    [['--out', 'x.npy', 'imgs/png-rgb8.png'], /--shape C,H,W is required/],
    [['--shape', '2,4,4', '--out', 'x.npy', 'imgs/png-rgb8.png'], /C must be 1 \(grey\) or 3 \(RGB\)/],
    [['--shape', '3,4', '--out', 'x.npy', 'a'], /three positive integers/],
    [['--shape', '3,4,4', '--format', 'CHW', '--out', 'x.npy', 'a'], /--format CHW: expected NCHW or NHWC/],
    [['--shape', '3,4,4', '--datatype', 'UINT8', '--scaling', 'INCEPTION', '--out', 'x.npy', 'a'], /UINT8 cannot hold/],
    [['--shape', '3,4,4', 'a'], /exactly one of --out FILE or --out-dir DIR/],
    [['--shape', '3,4,4', '--out', 'x.npy', 'a', 'b'], /2 images were given: use --out-dir/],
    [['--shape', '3,4,4', '--bogus', '--out', 'x.npy', 'a'], /unknown option --bogus/],
  ];
  for (const [args, pattern] of cases) {
    const r = await run(args, dir);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err.join('\n'), pattern);
    assert.match(r.err.join('\n'), /usage: triton-preprocess/);
  }
  assert.equal(existsSync(join(dir, 'x.npy')), false);
});

test('an image that cannot be read exits 1 naming the file', async () => {
  const dir = workdir();
  writeFileSync(join(dir, 'imgs', 'notes.txt'), 'not an image');
  const r = await run(['--shape', '3,4,4', '--out-dir', 'out', 'imgs'], dir);
  assert.equal(r.code, 1);
  assert.match(r.err.join('\n'), /imgs\/notes\.txt: not an image/);
  const missing = await run(['--shape', '3,4,4', '--out', 'x.npy', 'imgs/nope.png'], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.err.join('\n'), /imgs\/nope\.png: no such file/);
});

test('two images with the same stem would overwrite each other: refused before writing', async () => {
  const dir = workdir();
  copyFileSync(join(DIR, 'bmp-24bit.bmp'), join(dir, 'imgs', 'png-rgb8.bmp'));
  const r = await run(['--shape', '3,4,4', '--out-dir', 'out', 'imgs'], dir);
  assert.equal(r.code, 1);
  assert.match(r.err.join('\n'), /png-rgb8\.png: would overwrite .*png-rgb8\.npy, written for .*png-rgb8\.bmp/);
  assert.equal(existsSync(join(dir, 'out', 'png-rgb8.npy')), false);
});

test('loadImages: a folder gives its regular files sorted by name; files keep their order', async () => {
  const dir = workdir();
  // Links count as what they point to, as os.path.isfile sees them; dangling links are left out.
  symlinkSync(join(dir, 'imgs', 'png-rgb8.png'), join(dir, 'imgs', 'link.png'));
  symlinkSync(join(dir, 'imgs', 'missing.png'), join(dir, 'imgs', 'dangling.png'));
  symlinkSync(join(dir, 'imgs', 'nested'), join(dir, 'imgs', 'folder-link'));
  const images = await loadImages([join(dir, 'imgs')]);
  assert.deepEqual(images.map((i) => i.name), ['gif-gray.gif', 'jpeg-baseline-420.jpg', 'link.png', 'png-rgb8.png']);
  assert.deepEqual(images.map((i) => i.image.format), ['GIF', 'JPEG', 'PNG', 'PNG']);
  const two = await loadImages([join(dir, 'imgs', 'png-rgb8.png'), join(dir, 'imgs', 'gif-gray.gif')]);
  assert.deepEqual(two.map((i) => i.name), ['png-rgb8.png', 'gif-gray.gif']);
  await assert.rejects(loadImages([join(dir, 'imgs', 'nested')]), (e: unknown) => e instanceof ImageFileError && /nested: the folder has no files/.test(e.message));
});
