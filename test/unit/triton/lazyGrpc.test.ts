import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTritonClient } from '../../../src/triton/client';

function loaded(fragment: string): boolean {
  return Object.keys(require.cache).some((path) => path.includes(fragment));
}

// Runs in its own process (node:test isolates files), so the module cache reflects this file only.
test('an HTTP client never loads gRPC or protobuf code; the first gRPC client does', async () => {
  const http = createTritonClient({ url: '127.0.0.1:1', protocol: 'http', deadlineMs: 1000 });
  await http.isServerLive().catch(() => undefined);
  assert.equal(loaded('@grpc/grpc-js'), false, '@grpc/grpc-js loaded by the HTTP path');
  assert.equal(loaded('protobufjs'), false, 'protobufjs loaded by the HTTP path');
  await http.close();
  const grpc = createTritonClient({ url: '127.0.0.1:1', protocol: 'grpc', deadlineMs: 1000 });
  assert.equal(loaded(`src/triton/grpc/grpcTransport`), true);
  await grpc.close();
});
