// What the editor knows about the other models of a repository: their names and tensor signatures.
import { parse } from './parser';
import { MessageView, dimsOf } from './view';

export interface TensorSummary {
  name: string;
  /** `TYPE_FP32` etc., as written; undefined when missing. */
  dataType: string | undefined;
  dims: number[];
}

export interface ModelSummary {
  name: string;
  platform: string | undefined;
  backend: string | undefined;
  maxBatchSize: number;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
}

/** The repository around the file being edited. */
export interface RepositoryEnvironment {
  /** Models in the same repository (for ensemble steps). */
  modelNames?: readonly string[];
  /** A model's summary, when its config could be read. */
  modelOf?: (name: string) => ModelSummary | undefined;
  /** Files around the config, for the fields that name one. */
  files?: ModelFiles;
}

/** Names in the model folder and the sub-folders config fields point into. */
export interface ModelFiles {
  /** Files of the model folder itself (labels). */
  model: readonly string[];
  /** Entries of the highest version folder (model files, which may be folders). */
  version: readonly string[];
  /** Files of `warmup/` and `initial_state/`. */
  warmup: readonly string[];
  initialState: readonly string[];
}

/** Which file list a string field completes from, by `Message.field`. */
export const FILE_FIELDS: Readonly<Record<string, keyof ModelFiles>> = {
  'ModelOutput.label_filename': 'model',
  'ModelConfig.default_model_filename': 'version',
  'ModelWarmup.Input.input_data_file': 'warmup',
  'ModelSequenceBatching.InitialState.data_file': 'initialState',
};

/** Reads a model's signature from its config text (syntax errors tolerated: what parsed is used). */
export function summarizeModel(name: string, configText: string): ModelSummary {
  const cfg = new MessageView(parse(configText).root);
  const tensors = (kind: string): TensorSummary[] =>
    cfg.messages(kind)
      .map((e) => ({ name: e.node.str('name') ?? '', dataType: e.node.ident('data_type'), dims: dimsOf(e.node, 'dims') }))
      .filter((t) => t.name !== '');
  return {
    name, platform: cfg.str('platform'), backend: cfg.str('backend'), maxBatchSize: cfg.int('max_batch_size') ?? 0,
    inputs: tensors('input'), outputs: tensors('output'),
  };
}

export function describeTensor(t: TensorSummary): string {
  return `${t.dataType ?? '?'} [${t.dims.join(', ')}]`;
}
