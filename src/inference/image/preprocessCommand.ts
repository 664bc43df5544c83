// `triton-preprocess`: the tensor the run-inference panel would send for each image, written as .npy
// (or raw little-endian .bin) for perf_analyzer --input-data, notebooks and CI.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { isDatatype } from '../../triton/datatypes';
import { encodeTensor } from '../../triton/tensor';
import type { TritonDatatype } from '../../triton/types';
import { writeNpy } from '../npy';
import { listImageFiles, loadImageFile, ImageFileError } from './files';
import { preprocessImage, scalingProblem } from './preprocess';
import type { ImageFormatOrder, ImageScaling, PreprocessSpec } from './preprocess';

export const PREPROCESS_USAGE = `usage: triton-preprocess --shape C,H,W [--format NCHW|NHWC] [--scaling NONE|INCEPTION|VGG]
                         [--datatype FP32|FP16|BF16|FP64|UINT8|INT8|INT16|INT32|INT64|...]
                         (--out FILE.npy|FILE.bin IMAGE | --out-dir DIR [--bin] IMAGE|FOLDER...)
Preprocesses images exactly as image_client.py does (convert to L or RGB, PIL BILINEAR resize, scaling,
layout) and writes the tensor. C is 1 or 3; --shape is always C,H,W, --format picks the layout written.
Defaults: --format NCHW, --scaling NONE, --datatype FP32. With --out-dir, IMAGE.png becomes DIR/IMAGE.npy.`;

export interface CommandIo {
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

interface Options {
  spec: PreprocessSpec;
  out?: string;
  outDir?: string;
  bin: boolean;
  images: string[];
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  const images: string[] = [];
  let bin = false;
  const takesValue = new Set(['--shape', '--format', '--scaling', '--datatype', '--out', '--out-dir']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    if (flag === '--bin') bin = true;
    else if (takesValue.has(flag)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      if (values.has(flag)) throw new UsageError(`${flag} given twice`);
      values.set(flag, v);
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else images.push(a);
  }
  const shapeText = values.get('--shape');
  if (shapeText === undefined) throw new UsageError('--shape C,H,W is required');
  const dims = shapeText.split(',').map((s) => Number(s.trim()));
  if (dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d <= 0)) throw new UsageError(`--shape ${shapeText}: expected three positive integers C,H,W`);
  const [c, h, w] = dims as [number, number, number];
  if (c !== 1 && c !== 3) throw new UsageError(`--shape ${shapeText}: C must be 1 (grey) or 3 (RGB)`);
  const format = (values.get('--format') ?? 'NCHW').toUpperCase();
  if (format !== 'NCHW' && format !== 'NHWC') throw new UsageError(`--format ${format}: expected NCHW or NHWC`);
  const scaling = (values.get('--scaling') ?? 'NONE').toUpperCase();
  if (scaling !== 'NONE' && scaling !== 'INCEPTION' && scaling !== 'VGG') throw new UsageError(`--scaling ${scaling}: expected NONE, INCEPTION or VGG`);
  const datatype = (values.get('--datatype') ?? 'FP32').toUpperCase();
  if (!isDatatype(datatype)) throw new UsageError(`--datatype ${datatype}: not a Triton datatype`);
  const problem = scalingProblem(datatype, scaling, c);
  if (problem !== undefined) throw new UsageError(`--datatype ${datatype} --scaling ${scaling}: ${problem}`);
  const out = values.get('--out');
  const outDir = values.get('--out-dir');
  if ((out === undefined) === (outDir === undefined)) throw new UsageError('give exactly one of --out FILE or --out-dir DIR');
  if (images.length === 0) throw new UsageError('no image given');
  if (out !== undefined && images.length !== 1) throw new UsageError(`--out writes one tensor, but ${images.length} images were given: use --out-dir`);
  const spec: PreprocessSpec = { channels: c, height: h, width: w, format: format as ImageFormatOrder, scaling: scaling as ImageScaling, datatype: datatype as TritonDatatype };
  return { spec, bin, images, ...(out !== undefined ? { out } : {}), ...(outDir !== undefined ? { outDir } : {}) };
}

function statsText(stats: { min: number; max: number; mean: number }[]): string {
  const f = (v: number): string => Number(v.toPrecision(6)).toString();
  return stats.map((s) => `[${f(s.min)}, ${f(s.max)}] mean ${f(s.mean)}`).join('; ');
}

/** Runs the command; returns the exit code (0 done, 1 an image failed, 2 bad usage). */
export async function runPreprocessCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(PREPROCESS_USAGE);
    return 0;
  }
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${e.message}\n${PREPROCESS_USAGE}`);
    return 2;
  }
  try {
    const files = await listImageFiles(options.images.map((p) => resolve(io.cwd, p)));
    const targets = new Map<string, string>();
    for (const f of files) {
      const target = options.out !== undefined
        ? resolve(io.cwd, options.out)
        : join(resolve(io.cwd, options.outDir!), `${basename(f, extname(f))}${options.bin ? '.bin' : '.npy'}`);
      const clash = [...targets.entries()].find(([, t]) => t === target);
      if (clash !== undefined) throw new ImageFileError(f, `would overwrite ${target}, written for ${clash[0]}`);
      targets.set(f, target);
    }
    if (options.outDir !== undefined) await mkdir(resolve(io.cwd, options.outDir), { recursive: true });
    for (const [file, target] of targets) {
      const { image } = await loadImageFile(file);
      const t = preprocessImage(image, options.spec);
      const raw = options.bin || (options.out !== undefined && extname(target).toLowerCase() === '.bin');
      const bytes = raw ? encodeTensor(t.datatype, t.data, t.shape) : writeNpy(t.datatype, t.shape, t.data);
      await writeFile(target, bytes);
      io.out(`${target}: [${t.shape.join(', ')}] ${t.datatype} from ${image.format} ${image.mode} ${image.width}×${image.height}; ${statsText(t.stats)}`);
    }
    return 0;
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return 1;
  }
}
