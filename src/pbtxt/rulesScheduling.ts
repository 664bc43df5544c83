// Triton rules for batching, sequences, instance groups, versions, warmup and other cross-field rules.
import type { RuleContext } from './ruleContext';
import { completedPlatform, openRange, report } from './ruleContext';
import type { MessageView } from './view';
import { dimsOf } from './view';

export function checkDynamicBatching(ctx: RuleContext): void {
  const db = ctx.cfg.message('dynamic_batching');
  if (db === undefined) return;
  checkPreferred(ctx, db, 'dynamic batching');
  const levels = db.int('priority_levels') ?? 0;
  if (levels !== 0) {
    const def = db.int('default_priority_level') ?? 0;
    if (def < 1 || def > levels) {
      report(ctx, db.scalar('default_priority_level')?.range ?? db.nameRange('priority_levels') ?? openRange(ctx, db), 'error', 'priority-level',
        `default_priority_level must be in range [1, ${levels}] when priority_levels is ${levels}.`);
    }
    for (const e of db.mapEntries('priority_queue_policy')) {
      const k = Number(e.key);
      if (!(k >= 1 && k <= levels)) {
        report(ctx, e.keyRange, 'error', 'priority-level', `priority_queue_policy key ${e.key} must be a priority level in range [1, ${levels}].`);
      }
    }
  }
  if (db.bool('preserve_ordering')) {
    if (levels > 1) {
      report(ctx, db.nameRange('priority_levels') ?? openRange(ctx, db), 'error', 'preserve-ordering', `Only one priority level is allowed when preserve_ordering is true (priority_levels is ${levels}).`);
    }
    const policies = [...db.messages('default_queue_policy').map((e) => e.node), ...db.mapEntries('priority_queue_policy').map((e) => e.entry.node.message('value'))];
    for (const p of policies) {
      if (p === undefined) continue;
      if (p.ident('timeout_action') === 'DELAY' && (p.int('default_timeout_microseconds') ?? 0) !== 0) {
        report(ctx, p.scalar('timeout_action')?.range ?? openRange(ctx, p), 'error', 'preserve-ordering',
          'A queue policy with timeout_action DELAY and a default timeout cannot be combined with preserve_ordering: true.');
      }
    }
  }
}

function checkPreferred(ctx: RuleContext, view: MessageView, what: string): void {
  for (const e of view.ints('preferred_batch_size')) {
    const n = Number(e.node.value as bigint);
    if (n <= 0) {
      report(ctx, e.node.range, 'error', 'preferred-batch-size', `${cap(what)} preferred size must be positive, got ${n}.`);
    } else if (n > ctx.maxBatchSize) {
      report(ctx, e.node.range, 'error', 'preferred-batch-size', ctx.maxBatchSize === 0
        ? `${cap(what)} preferred size ${n} needs batching: set max_batch_size to ${n} or more, or remove it.`
        : `${cap(what)} preferred size ${n} exceeds max_batch_size ${ctx.maxBatchSize}; lower it or raise max_batch_size.`);
    }
  }
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

const CONTROL_LISTS = ['int32_false_true', 'fp32_false_true', 'bool_false_true'];
const CORRID_TYPES = new Set(['TYPE_UINT64', 'TYPE_INT64', 'TYPE_UINT32', 'TYPE_INT32', 'TYPE_STRING']);

export function checkSequenceBatching(ctx: RuleContext): void {
  const sb = ctx.cfg.message('sequence_batching');
  if (sb === undefined) return;
  if (ctx.cfg.message('response_cache')?.bool('enable')) {
    report(ctx, ctx.cfg.nameRange('response_cache') ?? openRange(ctx, sb), 'error', 'cache-sequence', 'The response cache does not support models with sequence batching; disable response_cache.');
  }
  const names = new Set<string>();
  const kinds = new Set<string>();
  for (const { node: ci } of sb.messages('control_input')) {
    const name = ci.str('name') ?? '';
    const where = ci.scalar('name')?.range ?? openRange(ctx, ci);
    if (name === '') report(ctx, where, 'error', 'control-input', 'A sequence batching control input must have a name.');
    else if (names.has(name)) report(ctx, where, 'error', 'control-input', `Control tensor "${name}" is specified in more than one control_input.`);
    names.add(name);
    for (const { node: c } of ci.messages('control')) {
      const kind = c.ident('kind') ?? 'CONTROL_SEQUENCE_START';
      const kindRange = c.scalar('kind')?.range ?? openRange(ctx, c);
      if (kinds.has(kind)) report(ctx, kindRange, 'error', 'control-kind', `Sequence batching specifies more than one ${kind} control.`);
      kinds.add(kind);
      const given = CONTROL_LISTS.filter((l) => c.has(l));
      if (kind === 'CONTROL_SEQUENCE_CORRID') {
        for (const l of given) report(ctx, c.nameRange(l) ?? kindRange, 'error', 'control-values', `${l} does not apply to CONTROL_SEQUENCE_CORRID; remove it.`);
        const dt = c.ident('data_type');
        if (dt === undefined || !CORRID_TYPES.has(dt)) {
          report(ctx, c.scalar('data_type')?.range ?? kindRange, 'error', 'control-values',
            `CONTROL_SEQUENCE_CORRID needs data_type TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 or TYPE_STRING${dt !== undefined ? `, got ${dt}` : ''}.`);
        }
        continue;
      }
      if (given.length === 0) {
        report(ctx, kindRange, 'error', 'control-values', `${kind} must give one of ${CONTROL_LISTS.join(', ')} as [false_value, true_value].`);
      } else if (given.length > 1) {
        report(ctx, c.nameRange(given[1]) ?? kindRange, 'error', 'control-values', `${kind} gives more than one of ${given.join(', ')}; keep one.`);
      } else {
        const n = c.scalars(given[0]).length;
        if (n !== 2) report(ctx, c.fieldRange(given[0]) ?? kindRange, 'error', 'control-values', `${given[0]} must have exactly 2 entries [false_value, true_value], got ${n}.`);
      }
    }
  }
  const oldest = sb.message('oldest');
  if (oldest !== undefined) checkPreferred(ctx, oldest, 'sequence batching (oldest)');
  const direct = sb.message('direct');
  const util = direct?.scalar('minimum_slot_utilization');
  if (util !== undefined && typeof util.value === 'number' && (util.value < 0 || util.value > 1)) {
    report(ctx, util.range, 'error', 'slot-utilization', 'minimum_slot_utilization must be between 0.0 and 1.0.');
  } else if (util !== undefined && typeof util.value === 'bigint' && (util.value < 0n || util.value > 1n)) {
    report(ctx, util.range, 'error', 'slot-utilization', 'minimum_slot_utilization must be between 0.0 and 1.0.');
  }
  for (const { node: st } of sb.messages('state')) {
    if (st.bool('use_growable_memory') && !st.bool('use_same_buffer_for_input_output')) {
      report(ctx, st.nameRange('use_growable_memory') ?? openRange(ctx, st), 'error', 'state-memory', 'use_growable_memory requires use_same_buffer_for_input_output: true.');
    }
  }
}

export function checkInstanceGroups(ctx: RuleContext): void {
  for (const { node: g } of ctx.cfg.messages('instance_group')) {
    const kind = g.ident('kind') ?? 'KIND_AUTO';
    const gpus = g.ints('gpus');
    if ((kind === 'KIND_CPU' || kind === 'KIND_MODEL') && g.has('gpus')) {
      report(ctx, g.fieldRange('gpus') ?? openRange(ctx, g), 'error', 'instance-gpus', `Instance group has kind ${kind} but lists GPUs; remove "gpus" or use KIND_GPU.`);
    }
    for (const e of gpus) {
      if ((e.node.value as bigint) < 0n) report(ctx, e.node.range, 'error', 'instance-gpus', `GPU id ${String(e.node.value)} is invalid; ids start at 0.`);
    }
    const count = g.scalar('count');
    if (count !== undefined && typeof count.value === 'bigint' && count.value < 1n) {
      report(ctx, count.range, 'warning', 'instance-count', `count ${count.value} is below 1; Triton replaces it with the default count.`);
    }
    for (const p of g.scalars('profile')) {
      if (completedPlatform(ctx) !== 'tensorrt_plan') {
        report(ctx, p.node.range, 'error', 'instance-profile', 'Optimization profiles apply only to platform "tensorrt_plan".');
        break;
      }
      if (typeof p.node.value === 'string' && !/^\d+$/.test(p.node.value)) {
        report(ctx, p.node.range, 'error', 'instance-profile', `Profile "${p.node.value}" must be a non-negative integer written as a string, e.g. "0".`);
      }
    }
  }
}

export function checkEnsemblePresence(ctx: RuleContext): void {
  const isEnsemble = ctx.platform === 'ensemble';
  const es = ctx.cfg.nameRange('ensemble_scheduling');
  if (!isEnsemble && es !== undefined) {
    report(ctx, es, 'error', 'ensemble-scheduling', `ensemble_scheduling can only be set when platform is "ensemble".`);
  }
  if (isEnsemble && es === undefined) {
    report(ctx, ctx.cfg.scalar('platform')?.range ?? openRange(ctx, ctx.cfg), 'error', 'ensemble-scheduling', 'An ensemble must define ensemble_scheduling with its steps.');
  }
  if (!isEnsemble) return;
  for (const f of ['instance_group', 'optimization', 'model_warmup']) {
    const r = ctx.cfg.nameRange(f);
    if (r !== undefined) report(ctx, r, 'error', 'ensemble-field', `Ensembles cannot have ${f}; it belongs in the composing models.`);
  }
}

export function checkVersionPolicy(ctx: RuleContext): void {
  const vp = ctx.cfg.message('version_policy');
  if (vp === undefined) return;
  const latest = vp.message('latest');
  const n = latest?.scalar('num_versions');
  if (latest !== undefined && (n === undefined || n.value === 0n)) {
    report(ctx, n?.range ?? ctx.cfg.nameRange('version_policy') ?? openRange(ctx, vp), 'error', 'version-policy', 'latest.num_versions must be at least 1, or no version would be served.');
  }
  const specific = vp.message('specific');
  if (specific !== undefined) {
    if (specific.ints('versions').length === 0) {
      report(ctx, vp.nameRange('specific') ?? openRange(ctx, vp), 'error', 'version-policy', 'specific needs at least one entry in "versions".');
    }
    for (const e of specific.ints('versions')) {
      if ((e.node.value as bigint) < 0n) report(ctx, e.node.range, 'error', 'version-policy', `Version ${String(e.node.value)} is invalid; versions are non-negative numbers.`);
    }
  }
}

export function checkWarmup(ctx: RuleContext): void {
  const inputs = new Map(ctx.cfg.messages('input').map((e) => [e.node.str('name') ?? '', e.node] as const));
  const controls = new Set(ctx.cfg.message('sequence_batching')?.messages('control_input').map((e) => e.node.str('name') ?? '') ?? []);
  for (const { node: w } of ctx.cfg.messages('model_warmup')) {
    const bs = w.scalar('batch_size');
    const b = typeof bs?.value === 'bigint' ? Number(bs.value) : 0;
    if (ctx.maxBatchSize === 0 && bs !== undefined && b > 1) {
      report(ctx, bs.range, 'error', 'warmup', 'Warmup batch_size must be 1 for a model without batching (max_batch_size 0).');
    } else if (ctx.maxBatchSize > 0 && bs !== undefined && b > ctx.maxBatchSize) {
      report(ctx, bs?.range ?? openRange(ctx, w), 'error', 'warmup', `Warmup batch_size ${b} exceeds max_batch_size ${ctx.maxBatchSize}.`);
    }
    for (const e of w.mapEntries('inputs')) {
      const value = e.entry.node.message('value');
      // With no inputs listed the backend fills them in, so unknown names cannot be told here.
      if (inputs.size > 0 && !inputs.has(e.key) && !controls.has(e.key)) {
        report(ctx, e.keyRange, 'error', 'warmup', `Warmup input "${e.key}" is not an input of this model.`);
      }
      if (value === undefined) continue;
      if (!['zero_data', 'random_data', 'input_data_file'].some((k) => value.has(k))) {
        report(ctx, e.keyRange, 'error', 'warmup', `Warmup input "${e.key}" needs one of zero_data, random_data or input_data_file.`);
      }
      for (const d of value.ints('dims')) {
        if ((d.node.value as bigint) < 1n) report(ctx, d.node.range, 'error', 'warmup', 'Warmup dims must be concrete sizes (>= 1); -1 is not allowed here.');
      }
      const input = inputs.get(e.key);
      const dt = value.ident('data_type');
      const expected = input?.ident('data_type');
      if (dt !== undefined && expected !== undefined && dt !== expected) {
        report(ctx, value.scalar('data_type')?.range ?? e.keyRange, 'error', 'warmup', `Warmup input "${e.key}" has data_type ${dt} but the model input is ${expected}.`);
      }
      if (input !== undefined && value.has('dims')) {
        const want = dimsOf(input, 'dims');
        const got = dimsOf(value, 'dims');
        const fits = want.length === got.length && want.every((d, i) => d === -1 || d === got[i]);
        if (!fits) {
          report(ctx, value.fieldRange('dims') ?? e.keyRange, 'error', 'warmup', `Warmup dims [ ${got.join(', ')} ] do not fit input "${e.key}" dims [ ${want.join(', ')} ].`);
        }
      }
    }
  }
}

export function checkMisc(ctx: RuleContext): void {
  const cache = ctx.cfg.message('response_cache');
  if (cache?.bool('enable') && ctx.cfg.message('model_transaction_policy')?.bool('decoupled')) {
    report(ctx, ctx.cfg.nameRange('response_cache') ?? openRange(ctx, cache), 'error', 'cache-decoupled', 'The response cache cannot be enabled for a decoupled model.');
  }
  for (const { node: mc } of ctx.cfg.message('model_metrics')?.messages('metric_control') ?? []) {
    const family = mc.message('metric_identifier')?.str('family') ?? '';
    if (family === '') report(ctx, openRange(ctx, mc), 'error', 'metric-control', 'metric_control needs metric_identifier { family: "..." }.');
    const buckets = mc.message('histogram_options')?.scalars('buckets') ?? [];
    if (buckets.length === 0) report(ctx, openRange(ctx, mc), 'error', 'metric-control', 'metric_control needs histogram_options with at least one bucket.');
    const nums = buckets.map((b) => Number(b.node.value));
    for (let i = 1; i < nums.length; i++) {
      if (!(nums[i] > nums[i - 1])) {
        report(ctx, buckets[i].node.range, 'error', 'metric-control', 'Histogram buckets must be in ascending order.');
        break;
      }
    }
  }
  for (const { node: step } of ctx.cfg.message('ensemble_scheduling')?.messages('step') ?? []) {
    // proto3 cannot tell "" from unset, and Triton's own effective config prints `model_namespace: ""`.
    const ns = step.scalar('model_namespace');
    if (ns !== undefined && ns.value !== '') report(ctx, ns.range, 'error', 'model-namespace', 'model_namespace is reserved and must not be set.');
    const version = step.scalar('model_version');
    if (typeof version?.value === 'bigint' && version.value < -1n) {
      report(ctx, version.range, 'error', 'model-version', `model_version ${version.value} is invalid: use -1 for the latest version, or a version number.`);
    }
  }
  for (const e of ctx.cfg.mapEntries('cc_model_filenames')) {
    if (!/^\d+\.\d+$/.test(e.key)) {
      report(ctx, e.keyRange, 'warning', 'compute-capability', `cc_model_filenames key "${e.key}" is not a CUDA compute capability such as "8.0"; no GPU will match it.`);
    }
  }
}
