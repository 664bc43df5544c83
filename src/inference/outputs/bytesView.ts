// BYTES outputs as a person reads them: text when an element is valid UTF-8, hex otherwise, each
// element cut to a bounded length with the number of bytes left out.
import type { OutputTensor } from '../../triton/types';
import type { BytesElementView, BytesSummary } from './views';

export interface BytesViewOptions {
  /** Elements shown (default 64). */
  maxElements?: number;
  /** Bytes shown per element (default 256). */
  maxBytesPerElement?: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Length of the longest prefix of `bytes` (at most `limit`) that does not end inside a UTF-8 sequence. */
function utf8Boundary(bytes: Uint8Array, limit: number): number {
  if (limit >= bytes.length) return bytes.length;
  let end = limit;
  // Step back over continuation bytes (10xxxxxx), at most three, to the start of a character.
  for (let back = 0; back < 3 && end > 0 && (bytes[end]! & 0xc0) === 0x80; back++) end--;
  return end;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (i ? ' ' : '') + bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** One element, bounded to `maxBytes` bytes (a cut never splits a UTF-8 character). */
export function bytesElementView(bytes: Uint8Array, maxBytes = 256): BytesElementView {
  const textEnd = utf8Boundary(bytes, maxBytes);
  try {
    const value = strictUtf8.decode(bytes.subarray(0, textEnd));
    return { encoding: 'text', value, byteLength: bytes.length, moreBytes: bytes.length - textEnd };
  } catch {
    const end = Math.min(bytes.length, maxBytes);
    return { encoding: 'hex', value: hex(bytes.subarray(0, end)), byteLength: bytes.length, moreBytes: bytes.length - end };
  }
}

/** The element as one line: its text or hex, then "… N more bytes" when cut. */
export function formatBytesElement(view: BytesElementView): string {
  const more = view.moreBytes > 0 ? ` … ${view.moreBytes} more byte${view.moreBytes === 1 ? '' : 's'}` : '';
  return view.encoding === 'hex' ? `0x ${view.value}${more}` : `${view.value}${more}`;
}

/** The view of a BYTES output; undefined for other datatypes or an output without values. */
export function summarizeBytes(tensor: OutputTensor, options: BytesViewOptions = {}): BytesSummary | undefined {
  if (tensor.datatype !== 'BYTES' || !Array.isArray(tensor.data)) return undefined;
  const data = tensor.data as (Uint8Array | string)[];
  const maxElements = Math.max(0, options.maxElements ?? 64);
  const encoder = new TextEncoder();
  const elements: BytesElementView[] = [];
  for (let i = 0; i < Math.min(maxElements, data.length); i++) {
    const e = data[i]!;
    elements.push(bytesElementView(typeof e === 'string' ? encoder.encode(e) : e, options.maxBytesPerElement ?? 256));
  }
  return {
    kind: 'bytes',
    name: tensor.name,
    datatype: tensor.datatype,
    shape: [...tensor.shape],
    count: data.length,
    elements,
    moreElements: Math.max(0, data.length - elements.length),
  };
}
