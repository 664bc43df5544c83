// BYTES elements typed by a user: one per line or a JSON array of strings, counted against the shape.
import { InputError } from './inputError';

function countProblem(given: number, shape: readonly number[], what: string): string | undefined {
  const count = shape.reduce((a, b) => a * b, 1);
  return given === count ? undefined : `${given} ${what} given but shape [${shape.join(', ')}] needs ${count}`;
}

/**
 * Elements of a BYTES input. Lines: every line is one element (a final newline does not add an
 * empty one; "\r\n" counts as a line break). JSON: an array of strings, nested arrays flattened.
 */
export function parseBytesText(text: string, format: 'lines' | 'json', shape: readonly number[], input: string): string[] {
  let elements: string[];
  if (format === 'lines') {
    elements = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (elements.length > 0 && elements[elements.length - 1] === '' && text !== '') elements.pop();
    if (text === '') elements = [];
    const problem = countProblem(elements.length, shape, 'line(s)');
    if (problem !== undefined) throw new InputError(input, problem);
    return elements;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(input, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(value)) throw new InputError(input, 'the JSON must be an array of strings');
  elements = [];
  const walk = (node: unknown[], path: number[]): void => {
    node.forEach((item, i) => {
      if (Array.isArray(item)) walk(item, [...path, i]);
      else if (typeof item === 'string') elements.push(item);
      else throw new InputError(input, `element [${[...path, i].join(', ')}] is ${item === null ? 'null' : typeof item}, not a string (write it in quotes)`);
    });
  };
  walk(value, []);
  const problem = countProblem(elements.length, shape, 'string(s)');
  if (problem !== undefined) throw new InputError(input, problem);
  return elements;
}

/** Checks a list of per-element files against the shape before any is read. */
export function checkBytesFileCount(paths: readonly string[], shape: readonly number[], input: string): void {
  const problem = countProblem(paths.length, shape, 'file(s)');
  if (problem !== undefined) throw new InputError(input, problem);
}
