import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eagerHeavyImports, HEAVY_PACKAGES } from '../../../bench/activationImports';

// gRPC (~70 ms to load) and protobufjs (~45 ms) would use up the 50 ms activation budget: they must
// be required on first use, never imported by anything activate() reaches.
test('activation loads neither the gRPC stack nor protobufjs', async () => {
  const chains = await eagerHeavyImports(HEAVY_PACKAGES);
  assert.deepEqual(chains, [], `loaded at activation (make the import lazy where the chain starts):\n${chains.join('\n')}`);
});

test('the analysis reports a static chain and ignores a require() on first use', async () => {
  const fixture = 'test/unit/harness/fixtures/eagerEntry.ts';
  const chains = await eagerHeavyImports(['protobufjs', '@grpc/grpc-js'], fixture);
  assert.deepEqual(chains, [
    `protobufjs: ${fixture} -> test/unit/harness/fixtures/eagerMiddle.ts -> node_modules/protobufjs/index.js`,
  ]);
});
