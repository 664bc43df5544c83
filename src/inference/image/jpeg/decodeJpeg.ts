// decodeJpeg: JPEG bytes to the pixels PIL's Image.open(...).load() gives with libjpeg-turbo
// (ISLOW IDCT, fancy upsampling, libjpeg's colour-space rules), or a JpegError saying what and where.
import { convertColor, type JpegColorSpace } from './color';
import { DEFAULT_LIMITS, NATURAL_ORDER, parseFrame, type Frame, type FrameComponent, type JpegLimits } from './frame';
import { buildHuffmanTable, type HuffmanTable } from './huffman';
import { idctBlock, idctBlock4x4 } from './idct';
import { idctComponentWasm, wasmIdctAvailable } from './idctWasm';
import { JpegError } from './jpegError';
import { decodeScan, type DecoderTables } from './scan';
import { smoothBlock, smoothingApplies } from './smoothing';
import { upsampler } from './upsample';
import { convertYcc420, convertYcc444, isFancy420, sameSampling } from './ycc420';

export interface JpegImage {
  readonly width: number;
  readonly height: number;
  /** PIL's mode: 1 component is L, 3 are RGB, 4 are CMYK (inverted as PIL stores Adobe CMYK). */
  readonly mode: 'L' | 'RGB' | 'CMYK';
  /** Interleaved 8-bit samples, row-major, width * height * channels bytes. */
  readonly data: Uint8Array;
}

const hex = (m: number): string => `0xFF${m.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * Decodes a JPEG file to what PIL's Image.open(f).load() gives (Debian's libjpeg62-turbo, PIL's
 * defaults), or throws a JpegError. `limits` caps the image size and scan count.
 */
export function decodeJpeg(bytes: Uint8Array, limits: JpegLimits = DEFAULT_LIMITS): JpegImage {
  const data = bytes;
  if (data.length < 3 || data[0] !== 0xff || data[1] !== 0xd8 || data[2] !== 0xff) {
    throw new JpegError('corrupt', 'not a JPEG file: it does not start with the SOI marker 0xFFD8', 0);
  }
  const tables: DecoderTables = { dc: [], ac: [], quant: [], restartInterval: 0 };
  let frame: Frame | undefined;
  let sawJfif = false;
  let adobeTransform = -1;
  let scans = 0;
  let sawEoi = false;
  let p = 2;
  while (p < data.length && !sawEoi) {
    if (data[p] !== 0xff) { p++; continue; } // stray bytes between segments are skipped, as PIL and libjpeg do
    while (p + 1 < data.length && data[p + 1] === 0xff) p++;
    if (p + 1 >= data.length) break;
    const marker = data[p + 1];
    const at = p;
    p += 2;
    if (marker === 0xd9) { sawEoi = true; break; }
    if (marker === 0xd8) throw new JpegError('corrupt', 'a second SOI marker (0xFFD8) inside the file', at);
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (p + 2 > data.length) throw new JpegError('truncated', `file ends inside the length of marker ${hex(marker)}`, at);
    const length = (data[p] << 8) | data[p + 1];
    if (length < 2) throw new JpegError('corrupt', `marker ${hex(marker)} has an impossible length ${length}`, at);
    if (p + length > data.length) throw new JpegError('truncated', `file ends inside the ${hex(marker)} segment (${length} bytes declared)`, at);
    const body = p + 2;
    const bodyLength = length - 2;
    p += length;
    switch (marker) {
      case 0xc0: case 0xc1: case 0xc2:
        if (frame) throw new JpegError('corrupt', 'a second SOF marker', at);
        frame = parseFrame(data, body, bodyLength, marker === 0xc2, limits, marker === 0xc2 || (useWasmIdct && wasmIdctAvailable()));
        break;
      case 0xc3: case 0xc5: case 0xc6: case 0xc7:
        throw new JpegError('unsupported', `lossless or hierarchical JPEG (SOF marker ${hex(marker)}) is not supported`, at);
      case 0xc9: case 0xca: case 0xcb: case 0xcd: case 0xce: case 0xcf:
        throw new JpegError('unsupported', `arithmetic-coded JPEG (SOF marker ${hex(marker)}) is not supported`, at);
      case 0xc4:
        readHuffmanTables(data, body, bodyLength, tables);
        break;
      case 0xdb:
        readQuantTables(data, body, bodyLength, tables);
        break;
      case 0xdd:
        if (bodyLength !== 2) throw new JpegError('corrupt', `DRI segment has length ${length} (4 expected)`, at);
        tables.restartInterval = (data[body] << 8) | data[body + 1];
        break;
      case 0xda:
        if (!frame) throw new JpegError('corrupt', 'SOS marker before any SOF marker', at);
        if (scans >= limits.maxScans) throw new JpegError('too-large', `more than ${limits.maxScans} scans`, at);
        p = decodeScan(data, body, bodyLength, frame, tables, ++scans);
        break;
      case 0xe0:
        // libjpeg only honours a JFIF APP0 that is at least 14 bytes long.
        if (bodyLength >= 14 && data[body] === 0x4a && data[body + 1] === 0x46 && data[body + 2] === 0x49 && data[body + 3] === 0x46 && data[body + 4] === 0) sawJfif = true;
        break;
      case 0xee:
        if (bodyLength >= 12 && String.fromCharCode(...data.subarray(body, body + 5)) === 'Adobe') adobeTransform = data[body + 11];
        break;
      case 0xcc: case 0xdc: case 0xfe:
        break; // DAC only matters with an arithmetic SOF; DNL and COM are skipped
      default:
        if (marker >= 0xe1 && marker <= 0xef) break; // other APPn
        throw new JpegError('corrupt', `unknown marker ${hex(marker)}`, at);
    }
  }
  if (!sawEoi) {
    const what = !frame ? 'before its SOF marker' : scans === 0 ? 'before its first scan' : 'without the EOI marker';
    throw new JpegError('truncated', `file is truncated: it ends ${what}`, data.length);
  }
  if (!frame) throw new JpegError('corrupt', 'file has no SOF marker (no image)', p);
  if (scans === 0) throw new JpegError('corrupt', 'file has no image data (no SOS marker)', p);
  if (frame.components.some((c) => c.coefs)) finishCoefficients(frame);
  for (const comp of frame.components) if (!comp.quant) comp.plane.fill(128); // never in a scan: zero coefficients
  const space = colorSpace(frame, sawJfif, adobeTransform);
  let pixels: Uint8Array;
  const fast = space === 'ycbcr' ? (isFancy420(frame) ? convertYcc420(frame) : sameSampling(frame) ? convertYcc444(frame) : undefined) : undefined;
  if (fast) pixels = fast;
  else {
    const sources = frame.components.map((c) => upsampler(frame as Frame, c));
    pixels = convertColor(space, sources, frame.width, frame.height);
  }
  const mode = frame.components.length === 1 ? 'L' : frame.components.length === 3 ? 'RGB' : 'CMYK';
  return { width: frame.width, height: frame.height, mode, data: pixels };
}

/** libjpeg's default_decompress_parms: which colour space the components are in. */
function colorSpace(frame: Frame, sawJfif: boolean, adobeTransform: number): JpegColorSpace {
  const comps = frame.components;
  if (comps.length === 1) return 'gray';
  if (comps.length === 4) return adobeTransform === -1 || adobeTransform === 0 ? 'cmyk' : 'ycck';
  if (sawJfif) return 'ycbcr';
  if (adobeTransform !== -1) return adobeTransform === 0 ? 'rgb' : 'ycbcr';
  const [a, b, c] = comps.map((x) => x.id);
  return a === 82 && b === 71 && c === 66 ? 'rgb' : 'ycbcr'; // ASCII 'R', 'G', 'B'
}

let useWasmIdct = true;

/** Turns the WebAssembly component IDCT off or on (tests compare the two). */
export function setWasmIdct(on: boolean): void {
  useWasmIdct = on;
}

/** Dequantises and transforms kept coefficients (progressive, or sequential decoded ahead). */
function finishCoefficients(frame: Frame): void {
  // libjpeg estimates still-missing low-frequency coefficients when scans left some incomplete.
  const fileQuant = (c: FrameComponent): Uint16Array | undefined => (c.quant ? Uint16Array.from(c.quant) : undefined);
  const smooth = smoothingApplies(frame, fileQuant);
  const ws = new Int32Array(64);
  const block = new Int32Array(64);
  const dcs = new Int32Array(25);
  for (const comp of frame.components) {
    const quant = comp.quant;
    if (!quant) continue;
    const raw = fileQuant(comp) as Uint16Array;
    const coefs = comp.coefs as Int16Array;
    if (!smooth && useWasmIdct && idctComponentWasm(comp, coefs, quant)) continue;
    const stride = comp.blocksPerLine * 8;
    for (let row = 0; row < comp.blocksHigh; row++) {
      for (let col = 0; col < comp.blocksWide; col++) {
        const at = (row * comp.blocksPerLine + col) * 64;
        let outside4x4 = 0;
        if (smooth) {
          smoothBlock(frame, comp, raw, row, col, block, dcs);
          for (let k = 0; k < 64; k++) {
            const v = block[k] * quant[k];
            block[k] = v;
            if (v !== 0) outside4x4 |= k & 36; // column >= 4 or row >= 4
          }
        } else {
          // Coefficients are stored in zigzag order: dequantise and put each in its natural place.
          for (let k = 0; k < 64; k++) {
            const z = NATURAL_ORDER[k];
            const v = coefs[at + k] * quant[z];
            block[z] = v;
            if (v !== 0) outside4x4 |= z & 36;
          }
        }
        if (outside4x4 === 0) idctBlock4x4(block, comp.plane, row * 8 * stride + col * 8, stride, ws);
        else idctBlock(block, comp.plane, row * 8 * stride + col * 8, stride, ws);
      }
    }
  }
  for (const comp of frame.components) comp.coefs = null;
}

function readHuffmanTables(data: Uint8Array, at: number, length: number, tables: DecoderTables): void {
  const end = at + length;
  let p = at;
  while (p < end) {
    const tc = data[p] >> 4;
    const th = data[p] & 15;
    if (tc > 1 || th > 3) throw new JpegError('corrupt', `DHT names table class ${tc} slot ${th} (class 0-1, slot 0-3 allowed)`, p);
    if (p + 17 > end) throw new JpegError('corrupt', 'DHT segment ends inside a table', p);
    const counts = data.slice(p + 1, p + 17);
    let total = 0;
    for (const c of counts) total += c;
    if (total > 256 || p + 17 + total > end) throw new JpegError('corrupt', `DHT table of ${total} codes does not fit its segment`, p);
    const table: HuffmanTable = buildHuffmanTable(counts, data.slice(p + 17, p + 17 + total), p);
    (tc === 0 ? tables.dc : tables.ac)[th] = table;
    p += 17 + total;
  }
}

function readQuantTables(data: Uint8Array, at: number, length: number, tables: DecoderTables): void {
  const end = at + length;
  let p = at;
  while (p < end) {
    const pq = data[p] >> 4;
    const tq = data[p] & 15;
    if (tq > 3 || pq > 1) throw new JpegError('corrupt', `DQT names table ${tq} with precision ${pq} (table 0-3, precision 0-1 allowed)`, p);
    const size = pq === 0 ? 64 : 128;
    if (p + 1 + size > end) throw new JpegError('corrupt', 'DQT segment ends inside a table', p);
    const q = new Int32Array(64);
    for (let k = 0; k < 64; k++) {
      const v = pq === 0 ? data[p + 1 + k] : (data[p + 1 + 2 * k] << 8) | data[p + 2 + 2 * k];
      q[NATURAL_ORDER[k]] = (v << 16) >> 16; // libjpeg multiplies by a 16-bit signed copy of the table
    }
    tables.quant[tq] = q;
    p += 1 + size;
  }
}
