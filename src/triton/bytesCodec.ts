// BYTES tensors on the wire: each element is a 4-byte little-endian length followed by its bytes.
import { TritonError } from './errors';

const MAX_ELEMENT_BYTES = 0xffffffff;
const utf8Decoder = new TextDecoder('utf-8');

/** Serializes BYTES elements (strings as UTF-8, byte arrays verbatim) into one buffer. */
export function encodeBytesElements(elements: readonly (string | Uint8Array)[], where?: string): Buffer {
  const parts: Uint8Array[] = new Array<Uint8Array>(elements.length);
  let total = 0;
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    let bytes: Uint8Array;
    if (typeof element === 'string') bytes = Buffer.from(element, 'utf8');
    else if (element instanceof Uint8Array) bytes = element;
    else throw new TritonError('invalid-argument', `BYTES element ${i} must be a string or a Uint8Array, got ${describe(element)}`, { request: where });
    if (bytes.byteLength > MAX_ELEMENT_BYTES) {
      throw new TritonError('invalid-argument', `BYTES element ${i} is ${bytes.byteLength} bytes, more than a 4-byte length can state`, { request: where });
    }
    parts[i] = bytes;
    total += 4 + bytes.byteLength;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const bytes of parts) {
    out.writeUInt32LE(bytes.byteLength, at);
    at += 4;
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  return out;
}

/** Byte size the serialized form of these elements takes, without building it. */
export function encodedBytesSize(elements: readonly (string | Uint8Array)[]): number {
  let total = 0;
  for (const element of elements) total += 4 + (typeof element === 'string' ? Buffer.byteLength(element, 'utf8') : element.byteLength);
  return total;
}

/**
 * Splits a serialized BYTES tensor into its elements (views into `data`, no copies). Every length
 * prefix is checked against the bytes left; with `expectedCount` the element count must match too.
 */
export function decodeBytesElements(data: Uint8Array, expectedCount?: number, where?: string): Uint8Array[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const elements: Uint8Array[] = [];
  let at = 0;
  while (at < data.byteLength) {
    if (expectedCount !== undefined && elements.length === expectedCount) {
      throw new TritonError('protocol', `BYTES tensor holds more than the ${expectedCount} element(s) its shape states (${data.byteLength - at} byte(s) left over)`, { request: where });
    }
    at = readElement(view, data, at, elements, `${elements.length}`, where);
  }
  if (expectedCount !== undefined && elements.length !== expectedCount) {
    throw new TritonError('protocol', `BYTES tensor holds ${elements.length} element(s) but its shape states ${expectedCount}`, { request: where });
  }
  return elements;
}

/**
 * Reads exactly `count` elements from the start of `data` (which may continue with other bytes, as
 * in a shared-memory region) and says how many bytes they took.
 */
export function decodeBytesPrefix(data: Uint8Array, count: number, where?: string): { elements: Uint8Array[]; byteLength: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const elements: Uint8Array[] = [];
  let at = 0;
  while (elements.length < count) {
    at = readElement(view, data, at, elements, `${elements.length} of ${count}`, where);
  }
  return { elements, byteLength: at };
}

/** Reads the length-prefixed element at `at` into `elements` (as a view); returns where the next starts. */
function readElement(view: DataView, data: Uint8Array, at: number, elements: Uint8Array[], label: string, where?: string): number {
  if (at + 4 > data.byteLength) {
    throw new TritonError('protocol', `BYTES element ${label}: length prefix cut off at byte ${at} of ${data.byteLength}`, { request: where });
  }
  const length = view.getUint32(at, true);
  const start = at + 4;
  if (length > data.byteLength - start) {
    throw new TritonError('protocol', `BYTES element ${label} claims ${length} byte(s) but only ${data.byteLength - start} remain`, { request: where });
  }
  elements.push(data.subarray(start, start + length));
  return start + length;
}

/** Decodes BYTES elements as UTF-8 text (invalid sequences become U+FFFD). */
export function bytesToStrings(elements: readonly Uint8Array[]): string[] {
  return elements.map((element) => utf8Decoder.decode(element));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
