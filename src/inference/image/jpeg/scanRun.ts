// The MCU-level work of one scan: each block's Huffman-coded coefficients, sequential (transformed
// at once, or kept for the component IDCT) and progressive (first passes and refinements).
import type { Frame, FrameComponent } from './frame';
import { FAST_BITS, LOOKUP_BITS, type BitReader, type HuffmanTable } from './huffman';
import * as idct from './idct';
import { JpegError } from './jpegError';

// Module-level copies: an imported binding read in a hot loop can be a getter call under tsx.
const FAST = FAST_BITS;
const { dcOnlySample, idctBlock, idctBlock4x4 } = idct;
const MASK_OF = idct.nonzeroMask;
const FAST_MASK = (1 << FAST_BITS) - 1;
const LOOKUP = LOOKUP_BITS;
const LOOKUP_MASK = (1 << LOOKUP_BITS) - 1;

/** Zigzag index -> natural index; 16 extra entries point at 63 so a corrupt run cannot write past the block. */
const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
  63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

export interface ScanComponent {
  readonly comp: FrameComponent;
  readonly dc: HuffmanTable | undefined;
  readonly ac: HuffmanTable | undefined;
}

function fillBlock(out: Uint8Array, at: number, stride: number, v: number): void {
  for (let y = 0; y < 8; y++, at += stride) out.fill(v, at, at + 8);
}

/** The state of one scan while its MCUs are decoded. */
export class ScanRun {
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
