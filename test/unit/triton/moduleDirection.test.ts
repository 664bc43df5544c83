import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const TRITON = path.resolve(__dirname, '../../../src/triton');

/** Every relative import (type-only ones too) of a source file, as absolute paths without extension. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from\s+|require\()\s*'(\.[^']+)'/g)) {
    found.push(path.resolve(path.dirname(file), match[1]!));
  }
  return found;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

test('the transports depend on the client interface, never on the factory that picks them', () => {
  const factory = path.join(TRITON, 'client');
  const transports = [...sourcesUnder(path.join(TRITON, 'http')), ...sourcesUnder(path.join(TRITON, 'grpc'))];
  assert.ok(transports.length > 10, `expected the transport sources, found ${transports.length}`);
  const offenders = transports.filter((file) => importsOf(file).includes(factory)).map((file) => path.relative(TRITON, file));
  assert.deepEqual(offenders, [], 'these transport files import client.ts, which imports the transports');
  // The interface file itself stays a leaf of the client: types only, no transport.
  const interfaceImports = importsOf(path.join(TRITON, 'clientTypes.ts')).map((p) => path.relative(TRITON, p));
  assert.deepEqual(interfaceImports, ['types']);
});
