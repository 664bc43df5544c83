// Seeded mutations of config.pbtxt text for fuzzing the parser and validator.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Small deterministic PRNG (mulberry32) so a failing input can be reproduced from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '{', '}', '<', '>', '[', ']', ':', ',', ';', '-', '"', "'", '\\', '#', '\n', ' ', '0x', '08', '1e', '.5', 'f',
  '${X}', '{{', '}}', '//', '/*', 'input', 'output', 'dims', 'name', 'key', 'value', 'TYPE_FP32', 'KIND_GPU', 'true',
  'inf', '-1', '99999999999999999999999', '\u00e9', '\ud83d\ude00', '\ud800', '\0', '\r\n', '\t', 'ensemble_scheduling { step [',
  'platform: "ensemble"', 'max_batch_size: 8', 'dynamic_batching {', 'sequence_batching {', '"\\x', '"\\u12', '"\\777"',
];

export function corpusTexts(corpusDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === 'config.pbtxt') out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(corpusDir);
  return out.sort();
}

export function mutate(text: string, random: () => number): string {
  let s = text;
  const ops = 1 + Math.floor(random() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(random() * (s.length + 1));
    const len = Math.floor(random() * 12);
    switch (Math.floor(random() * 6)) {
      case 0: s = s.slice(0, at) + s.slice(at + len); break;
      case 1: s = s.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + s.slice(at); break;
      case 2: s = s.slice(0, at) + s.slice(at, at + len).repeat(2) + s.slice(at); break;
      case 3: s = s.slice(0, at); break;
      case 4: s = s.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + s.slice(at + 1); break;
      default: {
        const other = Math.floor(random() * (s.length + 1));
        s = s.slice(0, Math.min(at, other)) + s.slice(Math.max(at, other)) + s.slice(Math.min(at, other), Math.max(at, other));
      }
    }
  }
  return s;
}
