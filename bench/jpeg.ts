// Bench: decodeJpeg on 1920x1080 photo-like JPEGs (4:2:0, 4:4:4, progressive 4:2:0), median ms per
// decode, checked byte for byte against PIL's pixels. The images come from
// `/usr/bin/python3 scripts/gen-image-fixtures.py --bench`, which also prints PIL's own decode time
// on the same files for the ratio; this script runs it when the images are missing.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { decodeJpeg } from '../src/inference/image/jpeg';

const TARGET_MS = 30;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const dir = join(__dirname, '..', 'out', 'bench');
const tags = ['420', '444', 'progressive-420'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  if (!tags.every((t) => existsSync(join(dir, `photo-1920x1080-${t}.jpg`)))) {
    const r = spawnSync('/usr/bin/python3', [join(__dirname, '..', 'scripts', 'gen-image-fixtures.py'), '--bench'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('could not generate the bench images (needs python3-pil and python3-numpy)');
  }
  console.log(`cpu: ${cpus()[0]?.model ?? '?'} x${cpus().length}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const tag of tags) {
    const bytes = new Uint8Array(readFileSync(join(dir, `photo-1920x1080-${tag}.jpg`)));
    const pil = new Uint8Array(readFileSync(join(dir, `photo-1920x1080-${tag}.raw`)));
    const first = decodeJpeg(bytes);
    let diff = 0;
    for (let i = 0; i < pil.length; i++) if (first.data[i] !== pil[i]) diff++;
    const times: number[] = [];
    for (let r = 0; r < RUNS + 5; r++) {
      const t0 = performance.now();
      decodeJpeg(bytes);
      if (r >= 5) times.push(performance.now() - t0);
    }
    const m = median(times);
    console.log(`${tag.padEnd(16)} ${(bytes.length / 1024).toFixed(0).padStart(5)} KiB  median ${m.toFixed(1)} ms  min ${Math.min(...times).toFixed(1)} ms  ` +
      `${diff === 0 ? 'identical to PIL' : `${diff} samples differ from PIL`}  ${m <= TARGET_MS ? 'within' : 'OVER'} the ${TARGET_MS} ms budget`);
  }
}

main();
