// color_classifier: densenet_onnx's interface, scoring named colours by the image's mean RGB value.
import type { ConfigObject } from './configSchema';
import type { ModelBackend } from './backends';
import { elementCount, fromNumbers, toNumbers } from './tensor';

/** Class index = position in this list = line of the labels file; the rest of the 1000 classes are padding. */
export const COLORS: ReadonlyArray<readonly [string, number, number, number]> = [
  ['red', 220, 30, 30], ['green', 30, 160, 50], ['blue', 30, 60, 220], ['yellow', 240, 220, 40],
  ['cyan', 40, 210, 220], ['magenta', 210, 40, 200], ['white', 245, 245, 245], ['black', 10, 10, 10],
  ['gray', 128, 128, 128], ['orange', 245, 140, 20], ['purple', 120, 40, 160], ['pink', 250, 170, 190],
  ['brown', 120, 70, 30], ['navy', 20, 30, 100], ['olive', 120, 120, 30], ['teal', 20, 120, 120],
];

export const CLASS_COUNT = 1000;
const MAX_DISTANCE = Math.sqrt(3 * 255 * 255);

/** Mean R, G, B (0..255) of a CHW image, undoing image_client.py's INCEPTION scaling when values are negative. */
export function meanColor(values: ArrayLike<number>, height: number, width: number): [number, number, number] {
  const plane = height * width;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // INCEPTION maps 0..255 to -1..1; NONE keeps 0..255; a 0..1 image is scaled up.
  const unscale = min < 0 ? (v: number): number => (v + 1) * 127.5 : max <= 1 ? (v: number): number => v * 255 : (v: number): number => v;
  const mean: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    for (let i = 0; i < plane; i++) sum += unscale(values[c * plane + i]!);
    mean[c] = plane ? sum / plane : 0;
  }
  return mean;
}

/** 1000 scores: 10 for an exact colour match falling to 0 at the largest RGB distance; padding classes score -1. */
export function colorScores(mean: readonly [number, number, number]): number[] {
  const scores = new Array<number>(CLASS_COUNT).fill(-1);
  COLORS.forEach(([, r, g, b], i) => {
    const d = Math.hypot(mean[0] - r, mean[1] - g, mean[2] - b);
    scores[i] = 10 * (1 - d / MAX_DISTANCE);
  });
  return scores;
}

export function colorLabels(): string {
  const lines: string[] = [];
  for (let i = 0; i < CLASS_COUNT; i++) lines.push(COLORS[i]?.[0] ?? `unused_${i}`);
  return lines.join('\n') + '\n';
}

export function colorClassifierBackend(config: ConfigObject): ModelBackend {
  const input = ((config['input'] as ConfigObject[] | undefined) ?? [])[0];
  const output = ((config['output'] as ConfigObject[] | undefined) ?? [])[0];
  const inName = String(input?.['name'] ?? 'data_0');
  const outName = String(output?.['name'] ?? 'fc6_1');
  const nhwc = input?.['format'] === 'FORMAT_NHWC';
  return {
    execute(req) {
      const t = req.inputs.get(inName)!;
      const batched = t.shape.length === 4;
      const batch = batched ? t.shape[0]! : 1;
      const dims = batched ? t.shape.slice(1) : t.shape;
      const [h, w] = nhwc ? [dims[0]!, dims[1]!] : [dims[1]!, dims[2]!];
      const all = toNumbers(t).map(Number);
      const per = elementCount(dims);
      const out: number[] = [];
      for (let b = 0; b < batch; b++) {
        let chw = all.slice(b * per, (b + 1) * per);
        if (nhwc) {
          const conv = new Array<number>(per);
          for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) conv[c * h * w + i] = chw[i * 3 + c]!;
          chw = conv;
        }
        out.push(...colorScores(meanColor(chw, h, w)));
      }
      return [fromNumbers(outName, 'FP32', batched ? [batch, CLASS_COUNT] : [CLASS_COUNT], out)];
    },
  };
}
