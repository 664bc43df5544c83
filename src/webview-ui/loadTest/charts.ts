// Line charts as inline SVG built with DOM APIs (the CSP allows no inline styles or markup strings):
// sizes through attributes, colours through CSS classes, every label a text node.

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 480;
const HEIGHT = 200;
const PAD = { left: 52, right: 12, top: 12, bottom: 36 };

export interface ChartSeries {
  name: string;
  /** CSS class giving the series its colour (series-a, series-b, …). */
  cls: string;
  /** One value per x label; null/NaN leaves a gap. */
  values: readonly (number | null | undefined)[];
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const c of children) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Round-ish top of the y axis: 1, 2 or 5 times a power of ten, at or above max. */
function niceTop(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * power >= max) return m * power;
  return 10 * power;
}

function tickText(v: number): string {
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k`;
  return v >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(v >= 1 ? 1 : 2);
}

/** A chart of the series over the x labels, with a y axis titled by `unit` and a legend. */
export function lineChart(title: string, unit: string, labels: readonly string[], series: readonly ChartSeries[]): SVGSVGElement {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter(finite)));
  const top = niceTop(max);
  const x = (i: number): number => PAD.left + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const y = (v: number): number => PAD.top + plotH - (v / top) * plotH;

  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, class: 'chart', role: 'img', 'aria-label': title });
  root.append(svg('title', {}, title));
  for (const frac of [0, 0.5, 1]) {
    const v = top * frac;
    root.append(svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: frac === 0 ? 'axis' : 'grid' }));
    root.append(svg('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, tickText(v)));
  }
  root.append(svg('text', { x: 12, y: PAD.top + plotH / 2, 'text-anchor': 'middle', class: 'tick', transform: `rotate(-90 12 ${PAD.top + plotH / 2})` }, unit));
  // Every label when they fit, else about eight of them.
  const every = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((label, i) => {
    if (i % every === 0 || i === labels.length - 1) root.append(svg('text', { x: x(i), y: HEIGHT - PAD.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, label));
  });
  series.forEach((s, si) => {
    // A gap (a step without answers) splits the line.
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 1) root.append(svg('polyline', { points: run.join(' '), class: `line ${s.cls}`, fill: 'none' }));
      run = [];
    };
    s.values.forEach((v, i) => {
      if (!finite(v)) return flush();
      run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      root.append(svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3, class: `dot ${s.cls}` }, svg('title', {}, `${s.name} ${labels[i] ?? ''}: ${tickText(v)} ${unit}`)));
    });
    flush();
    const lx = PAD.left + si * 90;
    root.append(svg('rect', { x: lx, y: HEIGHT - 12, width: 10, height: 4, class: `swatch ${s.cls}` }));
    root.append(svg('text', { x: lx + 14, y: HEIGHT - 7, class: 'legend' }, s.name));
  });
  return root;
}
