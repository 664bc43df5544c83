// One editor per model input, chosen by datatype and shape: batch and dynamic dims, then the values
// (numbers as JSON / fill / .npy, BYTES as lines / JSON / files, images by picker or drop).
import type { FormInput, ModelForm } from '../../inference/inputs/modelForm';
import type { ImageScaling, InputDraft, InputSource, RequestDraft } from '../../inference/requestDraft';
import type { ImageItem } from '../../shared/inferenceProtocol';
import { h, icon, setChildren } from '../common/dom';

export interface EditorHost {
  form: ModelForm;
  draft(): RequestDraft;
  /** The draft changed (saved, told to the host). */
  changed(): void;
  pick(input: string, purpose: 'image' | 'bytesFiles' | 'npy'): void;
  dropped(input: string, uris: string[]): void;
  preview(input: string): void;
  images(input: string): ImageItem[];
}

type SourceKind = InputSource['kind'];

const LABELS: Record<SourceKind, string> = {
  json: 'JSON numbers', fill: 'Fill', npy: '.npy file', bytes: 'Text', files: 'One file per element', image: 'Image files',
};

function kindsFor(input: FormInput): SourceKind[] {
  if (input.datatype === 'BYTES') return ['bytes', 'files'];
  return input.image !== undefined ? ['image', 'json', 'fill', 'npy'] : ['json', 'fill', 'npy'];
}

function defaultSource(kind: SourceKind, count: number): InputSource {
  switch (kind) {
    case 'json': return { kind, text: `[${Array.from({ length: Math.min(count, 64) }, () => '0').join(', ')}]` };
    case 'fill': return { kind, fill: 'zeros' };
    case 'npy': return { kind, path: '' };
    case 'bytes': return { kind, format: 'lines', text: '' };
    case 'files': return { kind, paths: [] };
    case 'image': return { kind, paths: [], scaling: 'NONE' };
  }
}

let ids = 0;
const uid = (base: string): string => `${base.replace(/[^\w-]/g, '_')}-${++ids}`;

function labelled(text: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid('f');
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, text), control, hint ? h('span', { class: 'muted hint' }, hint) : null);
}

function numberField(value: number | undefined, min: number | undefined, onChange: (v: number | undefined) => void, attrs: Record<string, string> = {}): HTMLInputElement {
  const el = h('input', { type: 'number', value: value === undefined ? '' : String(value), ...(min !== undefined ? { min: String(min) } : {}), ...attrs });
  el.addEventListener('input', () => {
    const v = el.value === '' ? undefined : Number(el.value);
    const bad = v !== undefined && (!Number.isFinite(v) || (min !== undefined && v < min));
    el.setAttribute('aria-invalid', bad ? 'true' : 'false');
    if (!bad) onChange(v);
  });
  return el;
}

function shapeEditor(host: EditorHost, input: FormInput, entry: InputDraft, rerender: () => void): HTMLElement | null {
  const batched = host.form.maxBatchSize > 0;
  const dynamic = input.dims.map((d, i) => [d, i] as const).filter(([d]) => d < 0);
  if (!batched && dynamic.length === 0) return null;
  const offset = batched ? 1 : 0;
  const fields: HTMLElement[] = [];
  if (batched) {
    fields.push(labelled('Batch', numberField(entry.shape[0], 1, (v) => { entry.shape[0] = Math.min(v ?? 1, host.form.maxBatchSize); host.changed(); rerender(); }, { max: String(host.form.maxBatchSize), 'data-dim': 'batch' }), `1–${host.form.maxBatchSize}`));
  }
  for (const [, i] of dynamic) {
    fields.push(labelled(`Dim ${i}`, numberField(entry.shape[i + offset], 0, (v) => { entry.shape[i + offset] = v ?? 1; host.changed(); rerender(); }, { 'data-dim': String(i) }), 'variable'));
  }
  return h('div', { class: 'row shape' }, fields);
}

function imageEditor(host: EditorHost, input: FormInput, entry: InputDraft & { source: Extract<InputSource, { kind: 'image' }> }): HTMLElement {
  const source = entry.source;
  const scaling = h('select', null, (['NONE', 'INCEPTION', 'VGG'] as const).map((s) => h('option', { value: s, selected: s === source.scaling }, s)));
  scaling.addEventListener('change', () => { source.scaling = scaling.value as ImageScaling; host.changed(); host.preview(input.name); });
  const items = host.images(input.name);
  const thumbs = h('div', { class: 'thumbs' }, items.length > 0
    ? items.map((it) => h('figure', { class: 'thumb' },
      it.thumbnail ? h('img', { src: it.thumbnail, alt: it.name }) : h('div', { class: 'no-thumb' }, icon('file-media')),
      h('figcaption', { title: it.problem ?? it.path }, it.name)))
    : source.paths.map((p) => h('div', { class: 'muted mono' }, p)));
  const drop = h('div', { class: 'dropzone', tabindex: 0, role: 'group', 'aria-label': `Images for ${input.name}: drop files here or choose them` },
    icon('cloud-upload'), ' Drop image files here, or ',
    h('button', { type: 'button', 'data-pick': 'image', onclick: () => host.pick(input.name, 'image') }, icon('folder-opened'), ' Choose images…'),
    thumbs);
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const list = e.dataTransfer?.getData('text/uri-list') || e.dataTransfer?.getData('text/plain') || '';
    const uris = list.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('#'));
    if (uris.length > 0) host.dropped(input.name, uris);
    else if ((e.dataTransfer?.files.length ?? 0) > 0) host.dropped(input.name, []);
  });
  const img = input.image!;
  return h('div', { class: 'stack' },
    drop,
    h('div', { class: 'row' }, labelled('Scaling', scaling),
      h('span', { class: 'muted' }, `resized to ${img.width}×${img.height}, ${img.channels === 1 ? 'grayscale (L)' : 'RGB'}, ${img.format}, ${entry.datatype}`)),
    h('div', { class: 'sent-slot', 'data-sent-for': input.name }),
  );
}

function valuesEditor(host: EditorHost, input: FormInput, entry: InputDraft): HTMLElement {
  const s = entry.source;
  switch (s.kind) {
    case 'json': {
      const ta = h('textarea', { rows: 3, spellcheck: false, 'aria-label': `Values of ${input.name} as JSON`, class: 'mono' }, s.text);
      ta.addEventListener('input', () => { s.text = ta.value; host.changed(); });
      return labelled('Values (JSON, nested or flat; Ctrl+Enter runs)', ta);
    }
    case 'bytes': {
      const ta = h('textarea', { rows: 4, spellcheck: false, class: 'mono', 'aria-label': `Elements of ${input.name}` }, s.text);
      ta.addEventListener('input', () => { s.text = ta.value; host.changed(); });
      const format = h('select', null, h('option', { value: 'lines', selected: s.format === 'lines' }, 'one per line'), h('option', { value: 'json', selected: s.format === 'json' }, 'JSON array of strings'));
      format.addEventListener('change', () => { s.format = format.value as 'lines' | 'json'; host.changed(); });
      return h('div', { class: 'stack' }, labelled('Format', format), labelled('Elements', ta));
    }
    case 'fill': {
      const fill = h('select', { 'data-fill': '' }, (['zeros', 'ones', 'random', 'range'] as const).map((f) => h('option', { value: f, selected: f === s.fill }, f)));
      const extra = h('div', { class: 'row' });
      const drawExtra = (): void => setChildren(extra,
        s.fill === 'random' ? labelled('Seed', numberField(s.seed ?? 0, undefined, (v) => { s.seed = v; host.changed(); })) : null,
        s.fill === 'range' ? labelled('Start', numberField(s.start ?? 0, undefined, (v) => { s.start = v; host.changed(); })) : null,
        s.fill === 'range' ? labelled('Step', numberField(s.step ?? 1, undefined, (v) => { s.step = v; host.changed(); })) : null);
      fill.addEventListener('change', () => { s.fill = fill.value as typeof s.fill; host.changed(); drawExtra(); });
      drawExtra();
      return h('div', { class: 'row' }, labelled('Fill', fill), extra);
    }
    case 'npy':
      return h('div', { class: 'row' }, h('span', { class: 'mono' }, s.path || 'no file chosen'),
        h('button', { type: 'button', 'data-pick': 'npy', onclick: () => host.pick(input.name, 'npy') }, icon('folder-opened'), ' Choose .npy…'));
    case 'files':
      return h('div', { class: 'stack' }, s.paths.map((p) => h('div', { class: 'mono' }, p)),
        h('button', { type: 'button', 'data-pick': 'files', onclick: () => host.pick(input.name, 'bytesFiles') }, icon('folder-opened'), ' Choose files…'));
    case 'image':
      return imageEditor(host, input, entry as InputDraft & { source: typeof s });
  }
}

/** The fieldset of one input; redraws itself when its kind or shape changes. */
export function inputEditor(host: EditorHost, input: FormInput): HTMLElement {
  const box = h('fieldset', { class: 'input', 'data-input': input.name });
  const draw = (): void => {
    const entry = host.draft().inputs.find((i) => i.name === input.name);
    if (entry === undefined) return;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const kinds = kindsFor(input);
    const kind = h('select', { 'aria-label': `Source of ${input.name}`, 'data-source': '' }, kinds.map((k) => h('option', { value: k, selected: k === entry.source.kind }, LABELS[k])));
    kind.addEventListener('change', () => {
      // A .npy source needs its file first: ask the host's picker and keep the old source until one is chosen.
      if (kind.value === 'npy') host.pick(input.name, 'npy');
      else {
        entry.source = defaultSource(kind.value as SourceKind, count);
        host.changed();
      }
      draw();
    });
    const dims = host.form.maxBatchSize > 0 ? ['batch', ...input.dims] : input.dims;
    setChildren(box,
      h('legend', null, h('span', { class: 'name' }, input.name), ' ', h('span', { class: 'muted' }, `${input.datatype} [${dims.map((d) => (typeof d === 'number' && d < 0 ? '?' : String(d))).join(', ')}]`), input.optional ? h('span', { class: 'badge' }, 'optional') : null),
      h('div', { class: 'row' }, labelled('Values from', kind), h('span', { class: 'muted' }, `sends [${entry.shape.join(', ')}] = ${count} element(s)`)),
      shapeEditor(host, input, entry, draw),
      valuesEditor(host, input, entry),
      h('div', { class: 'input-error', 'data-error-for': input.name }),
    );
  };
  draw();
  return box;
}
