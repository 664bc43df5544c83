// Bench: decodeJpeg on 1920x1080 photo-like JPEGs (noisy 4:2:0, 4:4:4 and progressive 4:2:0 at q90; a
// smoother 4:2:0 at q85 closer to a camera photo): median wall and
// CPU ms per decode, checked byte for byte against PIL's pixels, and PIL's own decode of the same file
// timed in the same run for the ratio (the machine is shared: the ratio is the figure to quote).
// The images come from `/usr/bin/python3 scripts/gen-image-fixtures.py --bench`, run when missing.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { decodeJpeg } from '../src/inference/image/jpeg';

const TARGET_MS = 30;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
// Run from the repository root (npm run bench:jpeg bundles this file like the extension is bundled).
const root = process.cwd();
const dir = join(root, 'out', 'bench');
const tags = ['420', '444', 'progressive-420', 'smooth-420-q85'];

const PIL_TIMER = `
import io, json, sys, time
from PIL import Image
data = open(sys.argv[1], 'rb').read()
wall, cpu = [], []
for i in range(int(sys.argv[2]) + 3):
    w, c = time.perf_counter(), time.process_time()
    im = Image.open(io.BytesIO(data)); im.load()
    if i >= 3:
        wall.append((time.perf_counter() - w) * 1000); cpu.append((time.process_time() - c) * 1000)
print(json.dumps({'wall': sorted(wall)[len(wall) // 2], 'cpu': sorted(cpu)[len(cpu) // 2]}))
`;

/** PIL's median wall and CPU ms per decode of the file, or undefined without python3-pil. */
function timePil(file: string): { wall: number; cpu: number } | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', PIL_TIMER, file, String(RUNS)], { encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as { wall: number; cpu: number }) : undefined;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  if (!tags.every((t) => existsSync(join(dir, `photo-1920x1080-${t}.jpg`)))) {
    const r = spawnSync('/usr/bin/python3', [join(root, 'scripts', 'gen-image-fixtures.py'), '--bench'], { stdio: 'inherit' });
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
    const cpuTimes: number[] = [];
    for (let r = 0; r < RUNS + 5; r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      decodeJpeg(bytes);
      const c = process.cpuUsage(c0);
      if (r >= 5) {
        times.push(performance.now() - t0);
        cpuTimes.push((c.user + c.system) / 1000);
      }
    }
    const m = median(times);
    const cpu = median(cpuTimes);
    const pilTime = timePil(join(dir, `photo-1920x1080-${tag}.jpg`));
    const vsPil = pilTime ? `PIL wall ${pilTime.wall.toFixed(1)} / cpu ${pilTime.cpu.toFixed(1)} ms, ratio ${(m / pilTime.wall).toFixed(2)}x wall ${(cpu / pilTime.cpu).toFixed(2)}x cpu` : 'PIL not available';
    console.log(`${tag.padEnd(16)} ${(bytes.length / 1024).toFixed(0).padStart(5)} KiB  wall ${m.toFixed(1)} ms  cpu ${cpu.toFixed(1)} ms  ` +
      `${diff === 0 ? 'identical to PIL' : `${diff} samples DIFFER from PIL`}  ${m <= TARGET_MS ? 'within' : 'OVER'} the ${TARGET_MS} ms budget;  ${vsPil}`);
  }
}

main();
