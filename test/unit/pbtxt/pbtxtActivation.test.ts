import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eagerHeavyImports } from '../../../bench/activationImports';

// Activation registers the language features; protobufjs (schema, validator) must wait for a document.
test('registering the pbtxt language loads no gRPC or protobuf package', async () => {
  assert.deepEqual(await eagerHeavyImports(undefined, 'src/vscode/pbtxt/registerPbtxt.ts'), []);
});

test('the check sees protobufjs where it is imported eagerly', async () => {
  const chains = await eagerHeavyImports(['protobufjs'], 'src/pbtxt/validate.ts');
  assert.equal(chains.length, 1);
  assert.match(chains[0], /protobufjs/);
});
