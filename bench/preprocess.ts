// Bench: a 1920×1080 JPEG to the 3×224×224 FP32 tensor image_client.py would send (decode, convert,
// BILINEAR resize, INCEPTION scaling, NCHW), median of runs, goal ≤ 30 ms. With python3-pil and numpy
// installed the same pipeline runs in Python+PIL+numpy on the same file, timed alongside; its tensor
// is compared with ours element by element. Images: scripts/gen-image-fixtures.py --bench (run when missing).
import { existsSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { convert, decodeImage, preprocessImage, resizeBilinear } from '../src/inference/image';
import type { PreprocessSpec } from '../src/inference/image';
import { readNpy } from '../src/inference/npy';

const TARGET_MS = 30;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
// Bundled into out/bench/ before it runs (as the extension ships: tsx's module getters slow hot loops), so
// paths start from the package root npm runs it in.
const root = process.cwd();
const dir = process.env.BENCH_IMAGES ?? join(root, 'out', 'bench');
const tags = ['420', 'progressive-420'];
const spec: PreprocessSpec = { channels: 3, height: 224, width: 224, format: 'NCHW', scaling: 'INCEPTION', datatype: 'FP32' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < RUNS + 5; r++) {
    const t0 = performance.now();
    fn();
    if (r >= 5) times.push(performance.now() - t0);
  }
  return median(times);
}

const PY = `
import sys, time, numpy as np
from PIL import Image
path, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def pre():
    img = Image.open(path)
    r = np.array(img.convert('RGB').resize((224, 224), Image.BILINEAR)).astype(np.float32)
    return np.transpose((r / 127.5) - 1, (2, 0, 1))
np.save(out, np.ascontiguousarray(pre()))
ts = []
for i in range(runs + 5):
    t = time.perf_counter(); pre(); ts.append((time.perf_counter() - t) * 1000)
ts = sorted(ts[5:])
print(ts[len(ts) // 2])
`;

function python(path: string): { ms: number; tensor: Float32Array } | string {
  if (spawnSync(PYTHON, ['-c', 'import PIL, numpy']).status !== 0) return 'python3-pil/numpy not installed: no Python figure';
  const out = join(mkdtempSync(join(tmpdir(), 'bench-pre-')), 'pil.npy');
  const r = spawnSync(PYTHON, ['-c', PY, path, out, String(RUNS)], { encoding: 'utf8' });
  if (r.status !== 0) return `python failed: ${r.stderr}`;
  return { ms: Number(r.stdout.trim()), tensor: readNpy(readFileSync(out)).data as Float32Array };
}

function main(): void {
  if (!tags.every((t) => existsSync(join(dir, `photo-1920x1080-${t}.jpg`)))) {
    const r = spawnSync(PYTHON, [join(root, 'scripts', 'gen-image-fixtures.py'), '--bench'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('could not generate the bench images (needs python3-pil and python3-numpy)');
  }
  console.log(`cpu: ${cpus()[0]?.model ?? '?'} x${cpus().length}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${RUNS} runs, median`);
  for (const tag of tags) {
    const path = join(dir, `photo-1920x1080-${tag}.jpg`);
    const bytes = new Uint8Array(readFileSync(path));
    const image = decodeImage(bytes);
    const rgb = convert(image, 'RGB');
    const total = time(() => preprocessImage(decodeImage(bytes), spec));
    const decode = time(() => decodeImage(bytes));
    const resize = time(() => resizeBilinear(rgb, 224, 224));
    const prep = time(() => preprocessImage(image, spec));
    const ours = preprocessImage(image, spec).data as Float32Array;
    const py = python(path);
    let line = `${tag.padEnd(16)} total ${total.toFixed(1)} ms (decode ${decode.toFixed(1)}; preprocess ${prep.toFixed(1)}, of which resize ${resize.toFixed(1)})  ${total <= TARGET_MS ? 'within' : 'OVER'} the ${TARGET_MS} ms goal`;
    if (typeof py === 'string') line += `; ${py}`;
    else {
      let maxDiff = 0;
      for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - py.tensor[i]!));
      line += `; Python+PIL+numpy ${py.ms.toFixed(1)} ms, ratio ${(total / py.ms).toFixed(2)}× PIL; max |Δ| vs PIL tensor ${maxDiff}`;
    }
    console.log(line);
  }
  writeFileSync(join(dir, 'preprocess-last.txt'), new Date().toISOString() + '\n');
}

main();
