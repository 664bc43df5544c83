import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcStatus, TritonError, kindFromGrpcCode, kindFromHttpStatus } from '../../../src/triton/errors';

test('HTTP statuses map to kinds as Triton uses them', () => {
  const cases: [number, string][] = [
    [400, 'invalid-argument'], [401, 'unauthenticated'], [403, 'permission-denied'], [404, 'not-found'],
    [405, 'unsupported'], [409, 'invalid-argument'], [500, 'server'], [501, 'unsupported'], [502, 'unavailable'],
    [503, 'unavailable'], [504, 'deadline'], [599, 'server'], [302, 'protocol'],
  ];
  for (const [status, kind] of cases) assert.equal(kindFromHttpStatus(status), kind, String(status));
});

test('gRPC codes map to kinds', () => {
  assert.equal(kindFromGrpcCode(GrpcStatus.NOT_FOUND), 'not-found');
  assert.equal(kindFromGrpcCode(GrpcStatus.ALREADY_EXISTS), 'invalid-argument');
  assert.equal(kindFromGrpcCode(GrpcStatus.UNIMPLEMENTED), 'unsupported');
  assert.equal(kindFromGrpcCode(GrpcStatus.INTERNAL), 'server');
  assert.equal(kindFromGrpcCode(GrpcStatus.UNKNOWN), 'server');
  assert.equal(kindFromGrpcCode(GrpcStatus.DEADLINE_EXCEEDED), 'deadline');
  assert.equal(kindFromGrpcCode(GrpcStatus.UNAUTHENTICATED), 'unauthenticated');
  assert.equal(kindFromGrpcCode(GrpcStatus.UNAVAILABLE), 'unavailable');
});

test('TritonError.from classifies socket, abort and gRPC failures and keeps the cause', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const e1 = TritonError.from(refused, 'GET /v2');
  assert.equal(e1.kind, 'unavailable');
  assert.equal(e1.request, 'GET /v2');
  assert.equal(e1.cause, refused);
  assert.match(e1.message, /^GET \/v2: cannot reach the server \(ECONNREFUSED\)/);
  assert.equal(TritonError.from(new DOMException('x', 'AbortError')).kind, 'cancelled');
  assert.equal(TritonError.from(new DOMException('x', 'TimeoutError')).kind, 'deadline');
  const grpc = Object.assign(new Error('5 NOT_FOUND: Request for unknown model'), { code: 5, details: "Request for unknown model: 'x' is not found" });
  const e2 = TritonError.from(grpc, 'ModelMetadata x');
  assert.equal(e2.kind, 'not-found');
  assert.equal(e2.grpcCode, 5);
  assert.equal(e2.serverMessage, "Request for unknown model: 'x' is not found");
  assert.equal(TritonError.from('weird').kind, 'protocol');
  const same = new TritonError('server', 'boom', { request: 'A' });
  assert.equal(TritonError.from(same, 'B'), same, 'an error that already names its request is kept');
  assert.equal(TritonError.from(new TritonError('server', 'boom'), 'B').request, 'B');
  assert.ok(same instanceof Error);
  assert.equal(same.name, 'TritonError');
});
