// One scan (SOS): its header, and the entropy-coded MCUs of baseline/extended sequential and
// progressive (spectral selection and successive approximation) Huffman coding.
import type { Frame, FrameComponent } from './frame';
import { BitReader, FAST_BITS, LOOKUP_BITS, type HuffmanTable } from './huffman';

// Module-level copies: an imported binding read in a hot loop can be a getter call under tsx.
const FAST = FAST_BITS;
const { dcOnlySample, idctBlock, idctBlock4x4 } = idct;
const MASK_OF = idct.nonzeroMask;
const FAST_MASK = (1 << FAST_BITS) - 1;
const LOOKUP = LOOKUP_BITS;
const LOOKUP_MASK = (1 << LOOKUP_BITS) - 1;
import * as idct from './idct';
import { JpegError } from './jpegError';
import { standardTable } from './standardTables';

/** Zigzag index -> natural index; 16 extra entries point at 63 so a corrupt run cannot write past the block. */
const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
  63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

export interface DecoderTables {
  readonly dc: (HuffmanTable | undefined)[];
  readonly ac: (HuffmanTable | undefined)[];
  /** Natural order, already as libjpeg's 16-bit multipliers. */
  readonly quant: (Int32Array | undefined)[];
  restartInterval: number;
}

interface ScanComponent {
  readonly comp: FrameComponent;
  readonly dc: HuffmanTable | undefined;
  readonly ac: HuffmanTable | undefined;
}

/** Decodes the scan whose SOS body starts at `at`; returns the offset where its entropy-coded data ends. */
export function decodeScan(data: Uint8Array, at: number, length: number, frame: Frame, tables: DecoderTables, scanNo: number): number {
  const n = data[at];
  if (n < 1 || n > 4 || length < 4 + 2 * n) throw new JpegError('corrupt', `SOS segment of scan ${scanNo} is malformed`, at);
  const ss = data[at + 1 + 2 * n];
  const se = data[at + 2 + 2 * n];
  const ah = data[at + 3 + 2 * n] >> 4;
  const al = data[at + 3 + 2 * n] & 15;
  const dcBand = ss === 0;
  if (frame.progressive) {
    const bad = (dcBand ? se !== 0 : ss > se || se > 63 || n !== 1) || (ah !== 0 && al !== ah - 1) || al > 13;
    if (bad) throw new JpegError('corrupt', `invalid progressive scan ${scanNo}: Ss=${ss} Se=${se} Ah=${ah} Al=${al} with ${n} component(s)`, at + 1 + 2 * n);
  }
  const comps: ScanComponent[] = [];
  for (let i = 0; i < n; i++) {
    const p = at + 1 + 2 * i;
    const comp = frame.components.find((c) => c.id === data[p]);
    if (!comp) throw new JpegError('corrupt', `scan ${scanNo} names component ${data[p]}, which the frame does not have`, p);
    if (comps.some((c) => c.comp === comp)) throw new JpegError('corrupt', `scan ${scanNo} names component ${data[p]} twice`, p);
    const needDc = !frame.progressive || (dcBand && ah === 0);
    const needAc = !frame.progressive || !dcBand;
    const dc = needDc ? tables.dc[data[p + 1] >> 4] ?? standardTable('dc', data[p + 1] >> 4) : undefined;
    const ac = needAc ? tables.ac[data[p + 1] & 15] ?? standardTable('ac', data[p + 1] & 15) : undefined;
    if (needDc && !dc) throw new JpegError('corrupt', `scan ${scanNo} uses DC Huffman table ${data[p + 1] >> 4}, which is not defined`, p + 1);
    if (needAc && !ac) throw new JpegError('corrupt', `scan ${scanNo} uses AC Huffman table ${data[p + 1] & 15}, which is not defined`, p + 1);
    if (dc && dc.maxSymbol > 15) throw new JpegError('corrupt', `DC Huffman table ${data[p + 1] >> 4} has a category above 15`, p + 1);
    // A second sequential scan of a component replaces its blocks whole, as re-decoding them would.
    if (!frame.progressive && comp.quant && comp.coefs) comp.coefs.fill(0);
    if (!comp.quant) {
      const q = tables.quant[comp.quantIndex];
      if (!q) throw new JpegError('corrupt', `component ${comp.id} uses quantisation table ${comp.quantIndex}, which is not defined`, p);
      comp.quant = q.slice();
    }
    comps.push({ comp, dc, ac });
  }
  if (n > 1 && comps.reduce((s, c) => s + c.comp.h * c.comp.v, 0) > 10) {
    throw new JpegError('corrupt', `scan ${scanNo} has more than 10 blocks per MCU`, at);
  }
  if (frame.progressive) {
    for (const { comp } of comps) for (let k = ss; k <= se; k++) comp.coefBits[k] = al;
  }

  const reader = new BitReader(data, at + length);
  const run = new ScanRun(reader, frame, comps, ss, se, ah, al, scanNo);
  const single = n === 1;
  const mcusWide = single ? comps[0].comp.blocksWide : frame.mcusWide;
  const mcusHigh = single ? comps[0].comp.blocksHigh : frame.mcusHigh;
  const interval = tables.restartInterval;
  let restarts = 0;
  let m = 0;
  for (let my = 0; my < mcusHigh; my++) {
    for (let mx = 0; mx < mcusWide; mx++, m++) {
      if (interval > 0 && m > 0 && m % interval === 0) {
        run.checkOverrun();
        expectRestart(data, reader, restarts++ & 7, scanNo);
        run.resetPredictions();
      }
      if (mx === 0 && my > 0) run.checkOverrun(); // stop early on data that ran out, not after the whole image
      if (single) run.block(0, my, mx);
      else {
        for (let i = 0; i < n; i++) {
          const { h, v } = comps[i].comp;
          for (let by = 0; by < v; by++) for (let bx = 0; bx < h; bx++) run.block(i, my * v + by, mx * h + bx);
        }
      }
    }
  }
  run.checkOverrun();
  return findMarker(data, reader.pos);
}

/** Offset of the next marker at or after `p` (skipping any leftover entropy-coded bytes), or the file's end. */
export function findMarker(data: Uint8Array, p: number): number {
  while (p < data.length) {
    if (data[p] !== 0xff) { p++; continue; }
    let q = p + 1;
    while (q < data.length && data[q] === 0xff) q++;
    if (q >= data.length) return data.length;
    if (data[q] !== 0) return q - 1;
    p = q + 1;
  }
  return data.length;
}

function expectRestart(data: Uint8Array, reader: BitReader, index: number, scanNo: number): void {
  const p = findMarker(data, reader.pos);
  if (p + 1 >= data.length) throw new JpegError('truncated', `file ends inside scan ${scanNo} (expected restart marker RST${index})`, data.length);
  if (data[p + 1] !== 0xd0 + index) {
    throw new JpegError('corrupt', `expected restart marker RST${index} in scan ${scanNo}, found 0xFF${data[p + 1].toString(16).toUpperCase().padStart(2, '0')}`, p);
  }
  reader.reset();
  reader.pos = p + 2;
}

function fillBlock(out: Uint8Array, at: number, stride: number, v: number): void {
  for (let y = 0; y < 8; y++, at += stride) out.fill(v, at, at + 8);
}

/** The state of one scan while its MCUs are decoded. */
class ScanRun {
  private readonly preds = new Int32Array(4);
  private eobrun = 0;
  /** The block being decoded, dequantised; kept all zero between blocks. */
  private readonly block64 = new Int32Array(64);
  private readonly ws = new Int32Array(64);

  constructor(
    private readonly r: BitReader,
    private readonly frame: Frame,
    private readonly comps: ScanComponent[],
    private readonly ss: number,
    private readonly se: number,
    private readonly ah: number,
    private readonly al: number,
    private readonly scanNo: number,
  ) {}

  resetPredictions(): void {
    this.preds.fill(0);
    this.eobrun = 0;
  }

  checkOverrun(): void {
    if (!this.r.overrun()) return;
    if (this.r.atEof) throw new JpegError('truncated', `file ends inside the entropy-coded data of scan ${this.scanNo}`, this.r.pos);
    throw new JpegError('corrupt', `entropy-coded data of scan ${this.scanNo} ends before its last block (premature end of data segment)`, this.r.pos);
  }

  block(i: number, row: number, col: number): void {
    if (!this.frame.progressive) {
      if (this.comps[i].comp.coefs) this.sequentialStore(i, row, col);
      else this.sequentialBlock(i, row, col);
      return;
    }
    const { comp, dc, ac } = this.comps[i];
    const r = this.r;
    const coefs = comp.coefs as Int16Array;
    const base = (row * comp.blocksPerLine + col) * 64;
    if (this.ss === 0) {
      if (this.ah === 0) {
        this.preds[i] += r.symbolValue(dc as HuffmanTable) >> 9;
        coefs[base] = this.preds[i] * (1 << this.al);
      } else if (r.bit()) coefs[base] |= 1 << this.al;
    } else if (this.ah === 0) this.acFirst(coefs, base, ac as HuffmanTable, comp.lastNonzero as Uint8Array);
    else this.acRefine(coefs, base, ac as HuffmanTable, comp.lastNonzero as Uint8Array);
  }

  /**
   * A sequential block kept as coefficients (zigzag order, not dequantised) for the component IDCT
   * that runs after the last scan; the Huffman decoding is sequentialBlock's.
   */
  private sequentialStore(i: number, row: number, col: number): void {
    const { comp, dc, ac } = this.comps[i];
    const r = this.r;
    const coefs = comp.coefs as Int16Array;
    const base = (row * comp.blocksPerLine + col) * 64;
    // Coefficients are 16-bit in libjpeg: the DC sum wraps there.
    const pred = (this.preds[i] += r.symbolValue(dc as HuffmanTable) >> 9);
    coefs[base] = pred;
    const fast = (ac as HuffmanTable).fast;
    let buf = r.buf;
    let cnt = r.cnt;
    for (let k = 1; k < 64; k++) {
      if (cnt < 16) {
        r.buf = buf;
        r.cnt = cnt;
        r.fill();
        buf = r.buf;
        cnt = r.cnt;
      }
      let e = fast[(buf >>> (cnt - FAST)) & FAST_MASK];
      if (e !== 0) cnt -= e & 31;
      else {
        r.buf = buf;
        r.cnt = cnt;
        e = r.symbolValue(ac as HuffmanTable);
        buf = r.buf;
        cnt = r.cnt;
      }
      const value = e >> 9;
      if (value !== 0) {
        k += (e >> 5) & 15;
        coefs[base + (k < 63 ? k : 63)] = value; // a corrupt run past the end lands on the last
      } else if ((e & 0x1e0) === 0x1e0) k += 15;
      else break;
    }
    r.buf = buf;
    r.cnt = cnt;
  }

  private sequentialBlock(i: number, row: number, col: number): void {
    const { comp, dc, ac } = this.comps[i];
    const r = this.r;
    const blk = this.block64;
    const quant = comp.quant as Int32Array;
    // Coefficients are 16-bit in libjpeg: the DC sum wraps there.
    const pred = (this.preds[i] += r.symbolValue(dc as HuffmanTable) >> 9);
    const act = ac as HuffmanTable;
    let nonzeroAc = false;
    let outside4x4 = 0;
    let mask = 0;
    // The bit buffer lives in locals here, written back around refills and slow codes.
    const fast = act.fast;
    let buf = r.buf;
    let cnt = r.cnt;
    for (let k = 1; k < 64; k++) {
      if (cnt < 16) {
        r.buf = buf;
        r.cnt = cnt;
        r.fill();
        buf = r.buf;
        cnt = r.cnt;
      }
      let e = fast[(buf >>> (cnt - FAST)) & FAST_MASK];
      if (e !== 0) cnt -= e & 31;
      else {
        r.buf = buf;
        r.cnt = cnt;
        e = r.symbolValue(act);
        buf = r.buf;
        cnt = r.cnt;
      }
      const value = e >> 9;
      if (value !== 0) {
        k += (e >> 5) & 15;
        const z = ZIGZAG[k];
        const v = value * quant[z];
        blk[z] = v;
        nonzeroAc = true;
        outside4x4 |= z & 36; // column >= 4 or row >= 4
        if (v !== 0) mask |= MASK_OF(z); // a zero in the quantisation table makes a zero coefficient
      } else if ((e & 0x1e0) === 0x1e0) k += 15;
      else break;
    }
    r.buf = buf;
    r.cnt = cnt;
    const stride = comp.blocksPerLine * 8;
    const at = row * 8 * stride + col * 8;
    const dcValue = ((pred << 16) >> 16) * quant[0];
    if (!nonzeroAc) {
      // A DC-only block is flat: the IDCT reduces to one descaled, range-limited value.
      fillBlock(comp.plane, at, stride, dcOnlySample(dcValue));
      return;
    }
    blk[0] = dcValue;
    if (outside4x4 === 0) idctBlock4x4(blk, comp.plane, at, stride, this.ws);
    else idctBlock(blk, comp.plane, at, stride, this.ws, mask);
    blk.fill(0);
  }

  private acFirst(coefs: Int16Array, base: number, ac: HuffmanTable, last: Uint8Array): void {
    if (this.eobrun > 0) {
      this.eobrun--;
      return;
    }
    const r = this.r;
    const scale = 1 << this.al;
    for (let k = this.ss; k <= this.se; k++) {
      const e = r.symbolValue(ac);
      const run = (e >> 5) & 15;
      const value = e >> 9;
      if (value !== 0) {
        k += run;
        const at = k < 63 ? k : 63; // a corrupt run past the end lands on the last
        coefs[base + at] = value * scale;
        if (at > last[base >> 6]) last[base >> 6] = at;
      } else if (run === 15) k += 15;
      else {
        this.eobrun = (1 << run) - 1;
        if (run !== 0) this.eobrun += r.bits(run);
        break;
      }
    }
  }

  private acRefine(coefs: Int16Array, base: number, ac: HuffmanTable, last: Uint8Array): void {
    const r = this.r;
    const al = this.al;
    const p1 = 1 << al;
    const m1 = -1 << al;
    const se = this.se;
    const lookup = ac.lookup;
    let k = this.ss;
    // The bit buffer lives in locals (one correction bit per nonzero coefficient is the hot path here),
    // written back around refills and the slow paths.
    let buf = r.buf;
    let cnt = r.cnt;
    const b = base >> 6;
    let lastNz = last[b];
    if (this.eobrun === 0) {
      for (; k <= se; k++) {
        if (cnt < 16) {
          r.buf = buf; r.cnt = cnt; r.fill(); buf = r.buf; cnt = r.cnt;
        }
        let rs = lookup[(buf >>> (cnt - LOOKUP)) & LOOKUP_MASK];
        if (rs !== 0) {
          cnt -= rs >> 8;
          rs &= 0xff;
        } else {
          r.buf = buf; r.cnt = cnt; rs = r.decode(ac); buf = r.buf; cnt = r.cnt;
        }
        let run = rs >> 4;
        let s = rs & 15;
        if (s !== 0) {
          if (cnt < 1) {
            r.buf = buf; r.cnt = cnt; r.fill(); buf = r.buf; cnt = r.cnt;
          }
          s = ((buf >>> --cnt) & 1) !== 0 ? p1 : m1;
        } else if (run !== 15) {
          r.buf = buf; r.cnt = cnt;
          this.eobrun = 1 << run;
          if (run !== 0) this.eobrun += r.bits(run);
          buf = r.buf; cnt = r.cnt;
          break;
        }
        // Advance over already-nonzero coefficients (refining each) and `run` zero ones. Written
        // without data-dependent branches (zero or not is a coin toss in detailed images): see the end-of-band loop below.
        do {
          if (k > lastNz) {
            // Only zeros from here: the run ends `run` places on (or the band does).
            k += run;
            if (k > se) k = se + 1;
            break;
          }
          if (cnt < 1) {
            r.buf = buf; r.cnt = cnt; r.fill(); buf = r.buf; cnt = r.cnt;
          }
          const pos = base + k;
          const c = coefs[pos];
          const nz = (c | -c) >>> 31;
          cnt -= nz;
          coefs[pos] = c + (((buf >>> cnt) & nz & ~(c >> al)) * ((c >> 31) | 1) << al);
          run -= nz ^ 1;
          if (run < 0) break;
          k++;
        } while (k <= se);
        if (s !== 0) {
          const at = k < 63 ? k : 63;
          coefs[base + at] = s;
          if (at > lastNz) last[b] = lastNz = at;
        }
      }
    }
    if (this.eobrun > 0) {
      // Past the block's last nonzero coefficient every one is zero and takes no correction bit.
      const end = Math.min(se, lastNz);
      for (; k <= end; k++) {
        if (cnt < 1) {
          r.buf = buf; r.cnt = cnt; r.fill(); buf = r.buf; cnt = r.cnt;
        }
        // A nonzero coefficient takes one correction bit; when it is set and the coefficient's bit
        // `al` is still clear, the magnitude grows by 2^al (away from zero). nz is 1 for nonzero.
        const pos = base + k;
        const c = coefs[pos];
        const nz = (c | -c) >>> 31;
        cnt -= nz;
        coefs[pos] = c + (((buf >>> cnt) & nz & ~(c >> al)) * ((c >> 31) | 1) << al);
      }
      this.eobrun--;
    }
    r.buf = buf;
    r.cnt = cnt;
  }
}
