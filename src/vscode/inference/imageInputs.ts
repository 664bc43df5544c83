// Host-side files for the panel's inputs: thumbnails of chosen images (small data: URLs the page can
// show), folders expanded to their files, and the image tensor of an input (image_client.py rules).
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ImageTensorRequest, LoadedTensor } from '../../inference/inputs/resolveDraft';
import type { ImageItem, SentPreview } from '../../shared/inferenceProtocol';
import type * as ImagingModule from '../../inference/image/index';

/** Files bigger than this get no thumbnail (the page would carry the whole file as a data: URL). */
const MAX_THUMBNAIL_FILE = 1024 * 1024;
const MAX_FILES = 256;

function mimeOf(head: Uint8Array): string | undefined {
  const at = (i: number, bytes: number[]): boolean => bytes.every((b, j) => head[i + j] === b);
  if (at(0, [0x89, 0x50, 0x4e, 0x47])) return 'image/png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at(0, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (at(0, [0x42, 0x4d])) return 'image/bmp';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  return undefined;
}

/** A folder stands for its regular files sorted by name (image_client.py); files stay as given. */
export async function expandImagePaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const info = await stat(p);
    if (info.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      for (const e of entries.filter((x) => x.isFile()).map((x) => x.name).sort()) out.push(join(p, e));
    } else out.push(p);
    if (out.length > MAX_FILES) throw new Error(`more than ${MAX_FILES} files chosen; pick fewer images`);
  }
  return out;
}

export async function imageItems(paths: readonly string[]): Promise<ImageItem[]> {
  const files = await expandImagePaths(paths);
  return Promise.all(files.map(async (path): Promise<ImageItem> => {
    const name = basename(path);
    try {
      const info = await stat(path);
      if (!info.isFile()) return { path, name, problem: 'not a regular file' };
      if (info.size > MAX_THUMBNAIL_FILE) return { path, name, problem: `${(info.size / 1048576).toFixed(1)} MiB: no thumbnail, the preview shows what is sent` };
      const bytes = await readFile(path);
      const mime = mimeOf(bytes.subarray(0, 16));
      if (mime === undefined) return { path, name, problem: 'not a PNG, JPEG, GIF, BMP or WebP file' };
      return { path, name, thumbnail: `data:${mime};base64,${bytes.toString('base64')}` };
    } catch (error) {
      return { path, name, problem: error instanceof Error ? error.message : String(error) };
    }
  }));
}

/** What the image pipeline returns: the batch tensor and the preview of its first image. */
export interface ImageBatch extends LoadedTensor {
  preview: SentPreview;
}

/**
 * image_client.py's tensor for one request: images (folders expanded) consumed cyclically up to the
 * batch size, each preprocessed for the input, stacked when the model batches. The image code loads
 * on first use, so activation does not pay for the decoders.
 */
export async function loadImageBatch(request: ImageTensorRequest): Promise<ImageBatch> {
  // The preview already built this tensor: Run reuses it while the files are unchanged.
  const files = await expandImagePaths(request.paths);
  const stamps = await Promise.all(files.map(async (f) => {
    const info = await stat(f);
    return `${f}\0${info.size}\0${info.mtimeMs}`;
  }));
  const key = JSON.stringify([stamps, request.channels, request.height, request.width, request.format, request.scaling, request.datatype, request.batch, request.batched]);
  const cached = batchCache.get(key);
  if (cached !== undefined) {
    batchCache.delete(key);
    batchCache.set(key, cached);
    return cached;
  }
  const batch = await buildImageBatch(request, files);
  if (batch.data.byteLength <= MAX_CACHED_BYTES) batchCache.set(key, batch);
  while (batchCache.size > MAX_CACHED_BATCHES) batchCache.delete(batchCache.keys().next().value!);
  return batch;
}

/** Recently built batches, newest last (a few 224×224 tensors: well under 10 MB). */
const batchCache = new Map<string, ImageBatch>();
const MAX_CACHED_BATCHES = 4;
const MAX_CACHED_BYTES = 16 * 1024 * 1024;

async function buildImageBatch(request: ImageTensorRequest, files: string[]): Promise<ImageBatch> {
  // The image library (decoders, resize, WebAssembly kernels) is its own bundle, dist/imaging.js,
  // required on the first image rather than parsed at activation.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const image = require('../../inference/image/index') as typeof ImagingModule;
  const { scalingProblem, preprocessImage } = image;
  const problem = scalingProblem(request.datatype, request.scaling, request.channels);
  if (problem !== undefined) throw new Error(problem);
  if (files.length === 0) throw new Error('the chosen folder holds no files');
  const spec = { channels: request.channels, height: request.height, width: request.width, format: request.format, scaling: request.scaling, datatype: request.datatype };
  const tensors = [];
  const cache = new Map<number, Awaited<ReturnType<typeof preprocessImage>>>();
  for (let i = 0; i < request.batch; i++) {
    const index = i % files.length;
    let done = cache.get(index);
    if (done === undefined) {
      const loaded = await image.loadImageFile(files[index]!);
      done = preprocessImage(loaded.image, spec);
      cache.set(index, done);
    }
    tensors.push(done);
  }
  const stacked = image.stackImages(tensors, request.batched ? 1 : 0);
  const first = tensors[0]!;
  const preview: SentPreview = {
    shape: stacked.shape,
    datatype: request.datatype,
    channels: first.stats.map((c) => ({ min: c.min, max: c.max, mean: c.mean })),
    image: { width: first.preview.width, height: first.preview.height, rgbaBase64: Buffer.from(first.preview.rgba.buffer, first.preview.rgba.byteOffset, first.preview.rgba.byteLength).toString('base64') },
  };
  return { datatype: request.datatype, shape: stacked.shape, data: stacked.data, preview };
}
