// Reads an ONNX graph signature from a file in pieces, skipping the weights, so model size does not matter.
import * as protobuf from 'protobufjs';
import type { RandomAccessFile } from './configFs';
import type { OnnxSignature, OnnxTensor } from './onnxModel';
import { readTensor, splitInitializers } from './onnxModel';

const CHUNK = 64 * 1024;
/** A tensor description (graph input/output) is a few hundred bytes; refuse absurd claimed sizes. */
const MAX_VALUE_INFO = 16 * 1024 * 1024;
/** Bounds the work on a hostile file made of millions of tiny fields. */
const MAX_FIELDS = 5_000_000;

interface Header {
  field: number;
  wire: number;
  /** Start and end of a length-delimited payload; for other wire types both are the next field's offset. */
  dataStart: number;
  dataEnd: number;
}

/** Buffers reads in 64 KiB windows: consecutive small fields cost one read, skipped weights cost none. */
class Window {
  private buf: Uint8Array = new Uint8Array(0);
  private at = 0;
  fieldsRead = 0;

  constructor(private readonly file: RandomAccessFile) {}

  async bytes(pos: number, len: number): Promise<Uint8Array> {
    if (pos >= this.at && pos + len <= this.at + this.buf.length) return this.buf.subarray(pos - this.at, pos - this.at + len);
    if (len > CHUNK) return this.file.read(pos, len);
    this.buf = await this.file.read(pos, CHUNK);
    this.at = pos;
    return this.buf.subarray(0, Math.min(len, this.buf.length));
  }

  /** The field header at `pos`, or undefined at the end of the file. */
  async header(pos: number, limit: number): Promise<Header | undefined> {
    const b = await this.bytes(pos, 22);
    if (b.length === 0) return undefined;
    if (++this.fieldsRead > MAX_FIELDS) throw new Error('too many fields');
    let i = 0;
    const varint = (): number => {
      let value = 0;
      let scale = 1;
      for (let k = 0; k < 10; k++) {
        if (i >= b.length) throw new Error('truncated');
        const byte = b[i++];
        value += (byte & 0x7f) * scale;
        if ((byte & 0x80) === 0) return value;
        scale *= 128;
      }
      throw new Error('malformed varint');
    };
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) throw new Error('field number 0');
    let dataStart: number;
    let dataEnd: number;
    if (wire === 0) {
      varint();
      dataStart = dataEnd = pos + i;
    } else if (wire === 1 || wire === 5) {
      dataStart = dataEnd = pos + i + (wire === 1 ? 8 : 4);
    } else if (wire === 2) {
      const len = varint();
      dataStart = pos + i;
      dataEnd = dataStart + len;
    } else {
      throw new Error(`invalid wire type ${wire} at offset ${pos}`);
    }
    if (dataEnd > limit) throw new Error('a message runs past its declared length');
    return { field, wire, dataStart, dataEnd };
  }

  async whole(h: Header, max: number): Promise<Uint8Array> {
    const len = h.dataEnd - h.dataStart;
    if (len > max) throw new Error(`field ${h.field} claims ${len} bytes`);
    const b = await this.bytes(h.dataStart, len);
    if (b.length < len) throw new Error('truncated');
    return b;
  }
}

async function initializerName(w: Window, start: number, end: number): Promise<string> {
  for (let pos = start; pos < end;) {
    const h = await w.header(pos, end);
    if (h === undefined) throw new Error('truncated');
    if (h.field === 8 && h.wire === 2) return Buffer.from(await w.whole(h, MAX_VALUE_INFO)).toString('utf8');
    pos = h.dataEnd;
  }
  return '';
}

function decodeTensor(bytes: Uint8Array): OnnxTensor {
  const r = protobuf.Reader.create(bytes);
  return readTensor(r, bytes.length);
}

/** Same answer as readOnnxSignature, reading only the headers and the graph's inputs and outputs. */
export async function readOnnxSignatureFrom(file: RandomAccessFile): Promise<OnnxSignature> {
  const w = new Window(file);
  const inputs: OnnxTensor[] = [];
  const outputs: OnnxTensor[] = [];
  const initializers = new Set<string>();
  let sawGraph = false;
  try {
    for (let pos = 0; ;) {
      const h = await w.header(pos, file.size);
      if (h === undefined) break;
      if (h.field === 7 && h.wire === 2) {
        sawGraph = true;
        for (let g = h.dataStart; g < h.dataEnd;) {
          const gh = await w.header(g, h.dataEnd);
          if (gh === undefined) throw new Error('truncated');
          if (gh.wire === 2 && gh.field === 11) inputs.push(decodeTensor(await w.whole(gh, MAX_VALUE_INFO)));
          else if (gh.wire === 2 && gh.field === 12) outputs.push(decodeTensor(await w.whole(gh, MAX_VALUE_INFO)));
          else if (gh.wire === 2 && gh.field === 5) initializers.add(await initializerName(w, gh.dataStart, gh.dataEnd));
          g = gh.dataEnd;
        }
      }
      pos = h.dataEnd;
    }
  } catch (e) {
    throw new Error(`not a readable ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!sawGraph) throw new Error('not an ONNX model: it has no graph');
  return splitInitializers(inputs, outputs, initializers);
}
