// Ensembles: Triton's scheduling rules for ensemble configs, and execution of the steps as a data-flow graph.
import type { ModelBackend } from './backends';
import type { ConfigObject } from './configSchema';
import { ConfigError } from './serverError';
import type { Tensor } from './tensor';

export interface EnsembleStep {
  model: string;
  version: number;
  /** Composing model input name → ensemble tensor name. */
  inputMap: Record<string, string>;
  /** Composing model output name → ensemble tensor name. */
  outputMap: Record<string, string>;
}

export function ensembleSteps(config: ConfigObject): EnsembleStep[] {
  const sched = (config['ensemble_scheduling'] as ConfigObject | undefined) ?? {};
  return ((sched['step'] as ConfigObject[] | undefined) ?? []).map((s) => ({
    model: String(s['model_name'] ?? ''),
    version: Number(s['model_version'] ?? -1),
    inputMap: (s['input_map'] as Record<string, string> | undefined) ?? {},
    outputMap: (s['output_map'] as Record<string, string> | undefined) ?? {},
  }));
}

const names = (config: ConfigObject, key: 'input' | 'output'): string[] => ((config[key] as ConfigObject[] | undefined) ?? []).map((x) => String(x['name'] ?? ''));

/** Triton's config-only ensemble rules; composing models are checked at load. */
export function validateEnsemble(config: ConfigObject, name: string): void {
  const isEnsemble = config['platform'] === 'ensemble';
  const sched = config['ensemble_scheduling'] as ConfigObject | undefined;
  if (!isEnsemble) {
    if (sched) throw new ConfigError(`ensemble scheduling cannot be set for model '${name}' whose platform is not ensemble`);
    return;
  }
  if (!sched) throw new ConfigError(`ensemble scheduling must be set for ensemble ${name} whose platform is ensemble`);
  const steps = ensembleSteps(config);
  if (steps.length === 0) throw new ConfigError(`must specify 'step' for ensemble '${name}'`);
  const produced = new Map<string, number>();
  steps.forEach((s, i) => {
    if (!s.model) throw new ConfigError(`must specify 'model_name' in step ${i} of ensemble '${name}'`);
    if (Object.keys(s.inputMap).length === 0) throw new ConfigError(`must specify 'input_map' in step ${i} of ensemble '${name}'`);
    if (Object.keys(s.outputMap).length === 0) throw new ConfigError(`must specify 'output_map' in step ${i} of ensemble '${name}'`);
    for (const t of Object.values(s.outputMap)) {
      if (produced.has(t)) throw new ConfigError(`ensemble tensor '${t}' can appear in an output map only once for ensemble '${name}' step ${i}`);
      produced.set(t, i);
    }
  });
  const consumed = new Set(steps.flatMap((s) => Object.values(s.inputMap)));
  for (const input of names(config, 'input')) {
    if (!consumed.has(input)) throw new ConfigError(`ensemble input '${input}' for ensemble ${name}' is not used`);
  }
  // Data flow: tensors reachable from the ensemble inputs.
  const available = new Set(names(config, 'input'));
  let progress = true;
  const done = new Set<number>();
  while (progress) {
    progress = false;
    steps.forEach((s, i) => {
      if (done.has(i) || !Object.values(s.inputMap).every((t) => available.has(t))) return;
      done.add(i);
      progress = true;
      for (const t of Object.values(s.outputMap)) available.add(t);
    });
  }
  for (const output of names(config, 'output')) {
    if (!available.has(output)) throw new ConfigError(`output '${output}' for ensemble '${name}' is not written`);
  }
  for (const t of produced.keys()) {
    if (!consumed.has(t) && !names(config, 'output').includes(t)) throw new ConfigError(`ensemble tensor '${t}' is unused in ensemble '${name}'`);
  }
}

export interface ComposingModel {
  name: string;
  config: ConfigObject;
  backend: ModelBackend;
  /** Called after the step ran, for the composing model's statistics. */
  record(inferNs: number, batchSize: number): void;
}

/** Checks a step against its composing model (input/output names) — the load-time rules. */
export function checkStep(step: EnsembleStep, model: ComposingModel, ensemble: string): void {
  const inputs = names(model.config, 'input');
  const outputs = names(model.config, 'output');
  for (const [k, t] of Object.entries(step.inputMap)) {
    if (!inputs.includes(k)) throw new ConfigError(`in ensemble ${ensemble}, ensemble tensor ${t} is mapping to non-existing input ${k} in model ${model.name}`);
  }
  for (const i of inputs) {
    if (!(i in step.inputMap)) throw new ConfigError(`in ensemble ${ensemble}, input ${i} in model ${model.name} is not mapped to any ensemble tensors`);
  }
  for (const [k, t] of Object.entries(step.outputMap)) {
    if (!outputs.includes(k)) throw new ConfigError(`in ensemble ${ensemble}, ensemble tensor ${t} is mapped from non-existing output ${k} in model ${model.name}`);
  }
  if (!model.backend.execute) throw new ConfigError(`in ensemble ${ensemble}, model ${model.name} is decoupled, which this server does not run inside ensembles`);
}

/** Runs steps as their inputs become available; resolves composing models at run time so reloads are seen. */
export function ensembleBackend(config: ConfigObject, resolve: (model: string, version: number) => ComposingModel): ModelBackend {
  const steps = ensembleSteps(config);
  const outputs = names(config, 'output');
  const batching = Number(config['max_batch_size'] ?? 0) > 0;
  return {
    execute(req) {
      const tensors = new Map<string, Tensor>(req.inputs);
      const pending = new Set(steps.map((_, i) => i));
      while (pending.size > 0) {
        const ready = [...pending].find((i) => Object.values(steps[i]!.inputMap).every((t) => tensors.has(t)));
        if (ready === undefined) throw new Error('ensemble has steps whose inputs are never produced');
        pending.delete(ready);
        const step = steps[ready]!;
        const model = resolve(step.model, step.version);
        const inputs = new Map<string, Tensor>();
        for (const [k, t] of Object.entries(step.inputMap)) inputs.set(k, { ...tensors.get(t)!, name: k });
        const t0 = process.hrtime.bigint();
        const produced = model.backend.execute!({ inputs, parameters: req.parameters });
        const first = [...inputs.values()][0];
        model.record(Number(process.hrtime.bigint() - t0), batching && first ? first.shape[0] ?? 1 : 0);
        for (const o of produced) {
          const target = step.outputMap[o.name];
          if (target) tensors.set(target, { ...o, name: target });
        }
      }
      return outputs.map((o) => tensors.get(o)!);
    },
  };
}
