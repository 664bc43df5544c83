// Numbers typed by a user for one input: JSON (nested to the shape, or flat), read without going
// through doubles so 64-bit integers keep every digit, checked against the datatype's range.
import { datatypeInfo } from '../../triton/datatypes';
import { numberToBf16Bits, numberToFp16Bits } from '../../triton/fp16';
import type { NumericTypedArray, TritonDatatype } from '../../triton/types';
import { InputError } from './inputError';

interface Token {
  text: string;
  line: number;
  column: number;
}

/** A number (or true/false/NaN/Infinity) as written, with where it was written. */
interface Leaf extends Token {
  kind: 'leaf';
}

interface Branch {
  kind: 'array';
  items: Node[];
  line: number;
  column: number;
}

type Node = Leaf | Branch;

const MAX_DEPTH = 32;

class Reader {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string, private readonly input: string) {}

  fail(message: string, line = this.line, column = this.pos - this.lineStart + 1): never {
    throw new InputError(this.input, `line ${line}, column ${column}: ${message}`);
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 10) {
        this.line++;
        this.lineStart = this.pos + 1;
      } else if (c !== 32 && c !== 9 && c !== 13) break;
      this.pos++;
    }
  }

  skip(): void {
    this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  node(depth: number): Node {
    this.skipSpace();
    const line = this.line;
    const column = this.pos - this.lineStart + 1;
    if (this.text[this.pos] === '[') {
      if (depth >= MAX_DEPTH) this.fail(`arrays nested deeper than ${MAX_DEPTH} levels`);
      this.pos++;
      const items: Node[] = [];
      if (this.peek() === ']') {
        this.pos++;
        return { kind: 'array', items, line, column };
      }
      for (;;) {
        items.push(this.node(depth + 1));
        const c = this.peek();
        if (c === ',') this.pos++;
        else if (c === ']') {
          this.pos++;
          return { kind: 'array', items, line, column };
        } else this.fail(c === '' ? `the array opened at line ${line}, column ${column} is never closed` : `expected ',' or ']' but found '${c}'`);
      }
    }
    const match = /^[-+]?(?:[0-9.]+(?:[eE][-+]?[0-9]+)?|Infinity|NaN)|^(?:true|false)/.exec(this.text.slice(this.pos, this.pos + 400));
    if (match === null) {
      const found = this.text.slice(this.pos, this.pos + 12).split(/[\s,\]]/)[0];
      this.fail(found === '' || found === undefined ? 'expected a value' : `'${found}' is not a number`);
    }
    this.pos += match[0].length;
    return { kind: 'leaf', text: match[0], line, column };
  }
}

/** Parses the text into a tree; a bare list of values separated by commas, spaces or lines is a flat array. */
function parseTree(text: string, input: string): Node {
  const reader = new Reader(text, input);
  if (reader.atEnd()) throw new InputError(input, 'no values given');
  if (reader.peek() === '[') {
    const root = reader.node(0);
    if (!reader.atEnd()) reader.fail(`unexpected '${reader.peek()}' after the values`);
    return root;
  }
  const items: Node[] = [];
  while (!reader.atEnd()) {
    items.push(reader.node(1));
    if (reader.peek() === ',') reader.skip();
  }
  return { kind: 'array', items, line: 1, column: 1 };
}

function flatten(root: Node, shape: readonly number[], count: number, input: string): Leaf[] {
  if (root.kind === 'leaf') {
    if (count !== 1) throw new InputError(input, `one value given but shape [${shape.join(', ')}] needs ${count}`);
    return [root];
  }
  // Flat: one array of leaves. Nested: every level's length must equal that dimension.
  const flat = root.items.every((n) => n.kind === 'leaf');
  if (flat && root.items.length === count) return root.items as Leaf[];
  if (flat && (shape.length <= 1 || root.items.length !== shape[0])) {
    throw new InputError(input, `${root.items.length} value(s) given but shape [${shape.join(', ')}] needs ${count}`);
  }
  const out: Leaf[] = [];
  const walk = (node: Node, depth: number, path: number[]): void => {
    const where = path.length === 0 ? 'the outer array' : `element [${path.join(', ')}]`;
    if (depth === shape.length) {
      if (node.kind !== 'leaf') throw new InputError(input, `line ${node.line}, column ${node.column}: ${where} is an array but shape [${shape.join(', ')}] has only ${shape.length} dimension(s)`);
      out.push(node);
      return;
    }
    if (node.kind !== 'array') throw new InputError(input, `line ${node.line}, column ${node.column}: ${where} is a value but shape [${shape.join(', ')}] expects an array of ${shape[depth]} there`);
    if (node.items.length !== shape[depth]) {
      throw new InputError(input, `line ${node.line}, column ${node.column}: ${where} has ${node.items.length} item(s) but dimension ${depth} of shape [${shape.join(', ')}] is ${shape[depth]}`);
    }
    node.items.forEach((child, i) => walk(child, depth + 1, [...path, i]));
  };
  walk(root, 0, []);
  return out;
}

const INT_RANGE: Partial<Record<TritonDatatype, [bigint, bigint]>> = {
  INT8: [-128n, 127n], INT16: [-32768n, 32767n], INT32: [-2147483648n, 2147483647n], INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT8: [0n, 255n], UINT16: [0n, 65535n], UINT32: [0n, 4294967295n], UINT64: [0n, 2n ** 64n - 1n],
};

/** Largest finite magnitude of each float type. */
const FLOAT_MAX: Partial<Record<TritonDatatype, number>> = {
  FP16: 65504, BF16: 3.3895313892515355e38, FP32: 3.4028234663852886e38, FP64: Number.MAX_VALUE,
};

function leafProblem(leaf: Leaf, datatype: TritonDatatype): string | undefined {
  const t = leaf.text;
  if (datatype === 'BOOL') return t === 'true' || t === 'false' || t === '0' || t === '1' ? undefined : `'${t}' is not a BOOL (true, false, 0 or 1)`;
  if (t === 'true' || t === 'false') return `'${t}' is a boolean, not a ${datatype} number`;
  const range = INT_RANGE[datatype];
  if (range !== undefined) {
    if (!/^[-+]?\d+$/.test(t)) return `'${t}' is not a whole number (${datatype})`;
    const v = BigInt(t);
    return v < range[0] || v > range[1] ? `${t} is out of range for ${datatype} (${range[0]}..${range[1]})` : undefined;
  }
  const v = Number(t);
  if (Number.isNaN(v) && !/NaN$/.test(t)) return `'${t}' is not a number`;
  const max = FLOAT_MAX[datatype]!;
  if (Number.isFinite(v) && Math.abs(v) > max) return `${t} is out of range for ${datatype} (largest finite value ±${max})`;
  return undefined;
}

/**
 * Values for a numeric input in the typed layout the client sends as is: BOOL as Uint8Array of
 * 0/1, FP16/BF16 as raw bits (round to nearest even), INT64/UINT64 as bigint arrays.
 */
export function parseNumericText(text: string, datatype: TritonDatatype, shape: readonly number[], input: string): NumericTypedArray {
  const info = datatypeInfo(datatype);
  if (info.array === undefined) throw new InputError(input, `${datatype} is not a numeric datatype`);
  const count = shape.reduce((a, b) => a * b, 1);
  const leaves = flatten(parseTree(text, input), shape, count, input);
  const out = new info.array(count);
  leaves.forEach((leaf, i) => {
    const problem = leafProblem(leaf, datatype);
    if (problem !== undefined) throw new InputError(input, `line ${leaf.line}, column ${leaf.column}, element ${i}: ${problem}`);
    const t = leaf.text;
    if (datatype === 'BOOL') out[i] = t === 'true' || t === '1' ? 1 : 0;
    else if (info.bigint) (out as BigInt64Array)[i] = BigInt(t);
    else if (datatype === 'FP16') out[i] = numberToFp16Bits(Number(t));
    else if (datatype === 'BF16') out[i] = numberToBf16Bits(Number(t));
    else out[i] = Number(t);
  });
  return out as NumericTypedArray;
}
