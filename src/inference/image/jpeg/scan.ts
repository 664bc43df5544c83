// One scan (SOS): its header, the MCU order with restart markers, and where its entropy-coded data
// ends; scanRun.ts decodes the blocks.
import type { Frame } from './frame';
import { BitReader, type HuffmanTable } from './huffman';
import { JpegError } from './jpegError';
import { ScanRun, type ScanComponent } from './scanRun';
import { standardTable } from './standardTables';

export interface DecoderTables {
  readonly dc: (HuffmanTable | undefined)[];
  readonly ac: (HuffmanTable | undefined)[];
  /** Natural order, already as libjpeg's 16-bit multipliers. */
  readonly quant: (Int32Array | undefined)[];
  restartInterval: number;
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
