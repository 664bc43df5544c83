// libjpeg-turbo 2.1's block smoothing, which it applies when a progressive file leaves some of the
// first nine AC coefficients short of their last bit: coefficients still zero are estimated from the
// DC values of the 5x5 neighbouring blocks (T.81 Annex K.8, extended), and when none of those nine
// was ever sent, the DC itself is re-estimated too. Weights, rounding and the choice of neighbours
// at the edges are those of Debian 12's libjpeg62-turbo 2.1.5 (checked against PIL on fixtures;
// later libjpeg-turbo releases pick some edge neighbours differently).
import { NATURAL_ORDER, type Frame, type FrameComponent } from './frame';

/** Natural positions of the coefficients that smoothing may estimate: zigzag 1..9. */
const POSITIONS = [1, 8, 16, 9, 2, 3, 10, 17, 24];

// Weights over the 5x5 block window (row-major, the block itself in the middle). The first five
// serve when some of coefficients 1..9 have arrived; WITH_DC when none has.
const w = (rows: number[][]): Int32Array => Int32Array.from(rows.flat());
const Z = [0, 0, 0, 0, 0];
const SOME = [
  w([Z, Z, [-7, 50, 0, -50, 7], Z, Z]),
  w([[0, 0, -7, 0, 0], [0, 0, 50, 0, 0], Z, [0, 0, -50, 0, 0], [0, 0, 7, 0, 0]]),
  w([[0, 0, -1, 0, 0], [0, 0, 13, 0, 0], [0, 0, -24, 0, 0], [0, 0, 13, 0, 0], [0, 0, -1, 0, 0]]),
  w([[0, -1, 0, 1, 0], [-1, 10, 0, -10, 1], Z, [1, -10, 0, 10, -1], [0, 1, 0, -1, 0]]),
  w([Z, Z, [-1, 13, -24, 13, -1], Z, Z]),
];
const NONE = [
  w([[-1, -1, 0, 1, 1], [-3, 13, 0, -13, 3], [-3, 38, 0, -38, 3], [-3, 13, 0, -13, 3], [-1, -1, 0, 1, 1]]),
  w([[-1, -3, -3, -3, -1], [-1, 13, 38, 13, -1], Z, [1, -13, -38, -13, 1], [1, 3, 3, 3, 1]]),
  w([[0, 0, 1, 0, 0], [0, 2, 7, 2, 0], [0, -5, -14, -5, 0], [0, 2, 7, 2, 0], [0, 0, 1, 0, 0]]),
  w([[-1, 0, 0, 0, 1], [0, 9, 0, -9, 0], Z, [0, -9, 0, 9, 0], [1, 0, 0, 0, -1]]),
  w([Z, [0, 2, -5, 2, 0], [1, 7, -14, 7, 1], [0, 2, -5, 2, 0], Z]),
  w([Z, [0, 1, 0, -1, 0], [0, 2, 0, -2, 0], [0, 1, 0, -1, 0], Z]),
  w([Z, [0, 1, -3, 1, 0], Z, [0, -1, 3, -1, 0], Z]),
  w([Z, [0, 1, 0, -1, 0], [0, -3, 0, 3, 0], [0, 1, 0, -1, 0], Z]),
  w([Z, [0, 1, 2, 1, 0], Z, [0, -1, -2, -1, 0], Z]),
];
const DC_WEIGHTS = w([[-2, -6, -8, -6, -2], [-6, 6, 42, 6, -6], [-8, 42, 152, 42, -8], [-6, 6, 42, 6, -6], [-2, -6, -8, -6, -2]]);

/** libjpeg's smoothing_ok: every component has DC data and usable tables, and some low AC is incomplete. */
export function smoothingApplies(frame: Frame, rawQuant: (c: FrameComponent) => ArrayLike<number> | undefined): boolean {
  let useful = false;
  for (const c of frame.components) {
    const q = rawQuant(c);
    if (!q || [0, ...POSITIONS].some((i) => q[i] === 0)) return false;
    if (c.coefBits[0] < 0) return false;
    for (let k = 1; k <= 9; k++) if (c.coefBits[k] !== 0) useful = true;
  }
  return useful;
}

/**
 * Writes into `out` (64 coefficients, natural order, not yet dequantised) the block at (row, col)
 * of `comp` with libjpeg's estimates filled in. `q` is the component's quantisation table as stored
 * in the file (unsigned), `dcs` a 25-entry scratch buffer.
 */
export function smoothBlock(frame: Frame, comp: FrameComponent, q: ArrayLike<number>, row: number, col: number, out: Int32Array, dcs: Int32Array): void {
  const coefs = comp.coefs as Int16Array;
  const per = comp.blocksPerLine;
  const at = (row * per + col) * 64;
  for (let k = 0; k < 64; k++) out[NATURAL_ORDER[k]] = coefs[at + k];
  const rows = neighbourRows(frame, comp, row);
  const cols = neighbourColumns(col, comp.blocksWide - 1);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) dcs[i * 5 + j] = coefs[(rows[i] * per + cols[j]) * 64];
  }
  const bits = comp.coefBits;
  let noneSent = true;
  for (let k = 1; k <= 9; k++) if (bits[k] !== -1) noneSent = false;
  const weights = noneSent ? NONE : SOME;
  for (let e = 0; e < weights.length; e++) {
    const pos = POSITIONS[e];
    const al = bits[e + 1];
    if (al === 0 || out[pos] !== 0) continue;
    out[pos] = estimate(q[0] * dot(weights[e], dcs), q[pos], al);
  }
  if (noneSent) out[0] = estimate(q[0] * dot(DC_WEIGHTS, dcs), q[0], -1);
  // libjpeg holds the estimates in 16-bit coefficients.
  for (const pos of [0, ...POSITIONS]) out[pos] = (out[pos] << 16) >> 16;
}

function dot(a: Int32Array, b: Int32Array): number {
  let s = 0;
  for (let i = 0; i < 25; i++) s += a[i] * b[i];
  return s;
}

/** num / (q * 256) rounded half away from zero, capped below 2^al when al > 0. */
function estimate(num: number, q: number, al: number): number {
  const cap = al > 0 ? (1 << al) - 1 : Infinity;
  if (num >= 0) return Math.min(Math.floor((q * 128 + num) / (q * 256)), cap);
  return -Math.min(Math.floor((q * 128 - num) / (q * 256)), cap);
}

/**
 * The block columns two left to two right of `col` as libjpeg-turbo 2.1's sliding registers hold
 * them: the edge column repeated, except that in a component two blocks wide the right-hand
 * neighbours read the first column (its first block fills only the nearer right register).
 */
function neighbourColumns(col: number, last: number): number[] {
  if (last === 1) return col === 0 ? [0, 0, 0, 1, 0] : [0, 0, 1, 0, 0];
  const at = (c: number): number => Math.min(Math.max(c, 0), last);
  return [at(col - 2), at(col - 1), col, at(col + 1), at(col + 2)];
}

/**
 * The block rows two above to two below `row` as libjpeg-turbo 2.1 picks them: within the iMCU row
 * (v block rows) the neighbours are clamped to it, and they reach into the iMCU rows above and below
 * only where the row position allows; in the first and last iMCU rows of the image the edge repeats.
 */
function neighbourRows(frame: Frame, comp: FrameComponent, r: number): number[] {
  const v = comp.v;
  const imcu = Math.floor(r / v);
  const lastImcu = frame.mcusHigh - 1;
  const inRow = r - imcu * v;
  const rowsHere = imcu === lastImcu ? comp.blocksHigh - lastImcu * v : v;
  const prev = inRow > 0 || imcu > 0 ? r - 1 : r;
  const prevPrev = inRow > 1 || imcu > 1 ? r - 2 : prev;
  const next = inRow < rowsHere - 1 || imcu < lastImcu ? r + 1 : r;
  const nextNext = inRow < rowsHere - 2 || imcu + 1 < lastImcu ? r + 2 : next;
  return [prevPrev, prev, r, next, nextNext];
}
