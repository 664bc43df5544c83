// Hand-written protobuf framing around the big bytes fields of ModelInfer: tensors go out from
// where they lie and come back into an aligned buffer, instead of through protobufjs's copies.
import type * as protobuf from 'protobufjs';
import type { InferRequestMessage } from './inferRequest';

/** ModelInferRequest.raw_input_contents = 7, length-delimited. */
const RAW_INPUT_TAG = (7 << 3) | 2;
/** Below this many raw bytes one protobufjs encode is cheaper than framing parts that are joined anyway. */
const SPLIT_FROM = 16 * 1024;
/** ModelInferResponse.raw_output_contents = 6, length-delimited. */
const RAW_OUTPUT_FIELD = 6;

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/**
 * The request as wire parts whose concatenation is exactly what protobufjs would encode:
 * raw_input_contents has the highest field number, so protobufjs (like the C++ and Python
 * encoders) writes it last. Everything else is encoded by protobufjs; each raw entry gets its tag
 * and length by hand and its bytes are passed on as they are, never copied. Requests with fewer
 * than `splitFrom` raw bytes are encoded whole.
 */
export function encodeInferRequestParts(type: protobuf.Type, message: InferRequestMessage, splitFrom = SPLIT_FROM): Uint8Array[] {
  const raw = message.raw_input_contents;
  if (raw === undefined || raw.reduce((n, b) => n + b.byteLength, 0) < splitFrom) return [type.encode(message).finish()];
  const { raw_input_contents: _raw, ...rest } = message;
  const parts: Uint8Array[] = [type.encode(rest).finish()];
  for (const bytes of raw) {
    parts.push(Uint8Array.from([RAW_INPUT_TAG, ...varintBytes(bytes.byteLength)]));
    if (bytes.byteLength > 0) parts.push(bytes);
  }
  return parts;
}

export type PayloadOffset = number | 'more' | 'none';

/**
 * Where the first raw_output_contents payload starts in a ModelInferResponse, judged from its
 * first bytes: 'more' when they do not reach it yet, 'none' when the message has no such field
 * or is not protobuf this reader can walk (protobufjs then reports what is wrong with it).
 */
export function rawOutputOffset(head: Uint8Array, messageLength: number): PayloadOffset {
  let at = 0;
  const readVarint = (): number | undefined => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= head.length) return undefined;
      const byte = head[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    return Number.NaN;
  };
  while (at < messageLength) {
    const tag = readVarint();
    if (tag === undefined) return 'more';
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (!Number.isSafeInteger(tag) || field === 0) return 'none';
    if (wire === 0) {
      const v = readVarint();
      if (v === undefined) return 'more';
      if (Number.isNaN(v)) return 'none';
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else if (wire === 2) {
      const length = readVarint();
      if (length === undefined) return 'more';
      if (!Number.isSafeInteger(length)) return 'none';
      if (field === RAW_OUTPUT_FIELD) return at + length <= messageLength ? at : 'none';
      at += length;
    } else {
      return 'none';
    }
  }
  return 'none';
}
