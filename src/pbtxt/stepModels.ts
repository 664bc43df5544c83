// Reads the composing models of an ensemble from the repository: their configs, else their ONNX files.
import { basename, join } from 'node:path';
import type { ConfigFs } from './configFs';
import { parse } from './parser';
import type { StepModel } from './rulesEnsemble';
import { signatureOf } from './rulesOnnx';
import { versionFolders } from './rulesRepository';
import { MessageView, dimsOf } from './view';

/** Reads a composing model's config from the same repository, once per name. */
export function stepModelLookup(fs: ConfigFs, repository: string): (name: string) => Promise<StepModel | 'missing' | undefined> {
  const cache = new Map<string, Promise<StepModel | 'missing' | undefined>>();
  const load = async (name: string): Promise<StepModel | 'missing' | undefined> => {
    if (name.includes('/') || name.includes('\\') || name === '..' || name === '.') return 'missing';
    const dir = join(repository, name);
    if (!(await fs.exists(dir))) return 'missing';
    const listing = await fs.readDir(dir);
    const versions = listing === undefined ? undefined : versionFolders(listing);
    const bytes = await fs.readFile(join(dir, 'config.pbtxt'));
    if (bytes === undefined) return { maxBatchSize: 0, inputs: new Map(), outputs: new Map(), complete: false, versions };
    const cfg = new MessageView(parse(Buffer.from(bytes).toString('utf8')).root);
    const inputs: StepModel['inputs'] = new Map();
    const outputs: StepModel['outputs'] = new Map();
    for (const { node } of cfg.messages('input')) {
      inputs.set(node.str('name') ?? '', { dataType: node.ident('data_type'), dims: dimsOf(node, 'dims'), optional: node.bool('optional') });
    }
    for (const { node } of cfg.messages('output')) outputs.set(node.str('name') ?? '', { dataType: node.ident('data_type'), dims: dimsOf(node, 'dims') });
    const maxBatchSize = cfg.int('max_batch_size') ?? 0;
    if (inputs.size === 0 && outputs.size === 0 && versions !== undefined && versions.length > 0) {
      // The config leaves inputs and outputs to ONNX Runtime's auto-complete: take them from the model file.
      const backend = cfg.str('backend') ?? '';
      const platform = cfg.str('platform') ?? '';
      const onnx = platform === 'onnxruntime_onnx' || backend === 'onnxruntime' || (platform === '' && backend === '');
      const file = join(String(versions[versions.length - 1]), cfg.str('default_model_filename') || 'model.onnx');
      const loc = { modelDir: dir, dirName: name, fs };
      const sig = onnx ? await signatureOf(loc, file).catch(() => undefined) ?? await signatureOf(loc, join(file, basename(file))).catch(() => undefined) : undefined;
      if (sig !== undefined) {
        const all = [...sig.inputs, ...sig.outputs];
        const batched = maxBatchSize > 0 || (!cfg.has('max_batch_size') && all.length > 0 && all.every((t) => t.dims?.[0] === -1));
        const dims = (d: number[] | undefined): number[] => (d === undefined ? [] : batched ? d.slice(1) : d);
        for (const t of sig.inputs) inputs.set(t.name, { dataType: t.dataType, dims: dims(t.dims), optional: false });
        for (const t of sig.outputs) outputs.set(t.name, { dataType: t.dataType, dims: dims(t.dims) });
      }
    }
    return { maxBatchSize, inputs, outputs, complete: inputs.size > 0 || outputs.size > 0, versions };
  };
  return (name) => {
    let p = cache.get(name);
    if (p === undefined) cache.set(name, (p = load(name)));
    return p;
  };
}
