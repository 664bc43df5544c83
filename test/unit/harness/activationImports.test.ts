import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eagerHeavyImports } from '../../../bench/activationImports';

// gRPC is the heaviest dependency (~70 ms to load); activation stays within budget only while the
// gRPC transport is required on first use rather than imported by anything activate() reaches.
test('activation does not load the gRPC stack', async () => {
  const chains = await eagerHeavyImports(['@grpc/grpc-js', '@grpc/proto-loader']);
  assert.deepEqual(chains, [], `loaded at activation:\n${chains.join('\n')}`);
});

test('the analysis reports a static chain and ignores a require() on first use', async () => {
  const fixture = 'test/unit/harness/fixtures/eagerEntry.ts';
  const chains = await eagerHeavyImports(['protobufjs', '@grpc/grpc-js'], fixture);
  assert.deepEqual(chains, [
    `protobufjs: ${fixture} -> test/unit/harness/fixtures/eagerMiddle.ts -> node_modules/protobufjs/index.js`,
  ]);
});
