// Builds DOM from code, never from HTML strings: text goes in as text nodes and attributes as
// attribute values, so a model, label or error text from a server is always shown, never run.

export type Child = Node | string | number | bigint | boolean | null | undefined | readonly Child[];
type Handler = (event: Event) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Handler>;

// URL-bearing attributes may not carry script.
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'poster']);
const SAFE_URL = /^(?:data:image\/(?:png|jpeg|gif|webp|bmp);|blob:|https?:|#|vscode-|[./\w-]+(?:[?#]|$))/i;

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false || child === true) return;
  if (Array.isArray(child)) {
    for (const c of child as readonly Child[]) append(parent, c);
    return;
  }
  parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

function setAttribute(el: Element, name: string, value: Attrs[string]): void {
  if (value === null || value === undefined || value === false) return;
  const lower = name.toLowerCase();
  if (typeof value === 'function') {
    if (!lower.startsWith('on')) throw new Error(`attribute ${name} cannot take a function`);
    el.addEventListener(lower.slice(2), value);
    return;
  }
  if (lower.startsWith('on')) throw new Error(`inline handler ${name} refused: pass a function`);
  if (lower === 'innerhtml' || lower === 'outerhtml' || lower === 'srcdoc') throw new Error(`${name} refused: build nodes instead`);
  const text = value === true ? '' : String(value);
  if (URL_ATTRIBUTES.has(lower) && !SAFE_URL.test(text.trim())) throw new Error(`${name} refused for a URL of that scheme`);
  el.setAttribute(lower === 'classname' ? 'class' : name, text);
}

/** `h('button', { class: 'primary', onclick: run }, 'Run')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) for (const [name, value] of Object.entries(attrs)) setAttribute(el, name, value);
  for (const c of children) append(el, c);
  return el;
}

/** Replaces an element's children. */
export function setChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  for (const c of children) append(el, c);
}

/** A codicon: `icon('play')`. */
export function icon(name: string, label?: string): HTMLSpanElement {
  const attrs: Attrs = { class: `codicon codicon-${name.replace(/[^a-z0-9-]/gi, '')}` };
  if (label) {
    attrs.role = 'img';
    attrs['aria-label'] = label;
  } else attrs['aria-hidden'] = 'true';
  return h('span', attrs);
}
