import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultServers, parseServerSettings, readSecretHeaders, secretKeyFor, serverToSetting, validateGrpcTarget,
  validateHttpUrl, validateServerName, withheldSecretsReason, writeSecretHeaders, readStoredSecrets,
} from '../../../src/services/serverConfig';
import type { SecretStore, ServerConfig } from '../../../src/services/serverConfig';

test('an absent setting gives the localhost default; a non-array is reported', () => {
  assert.deepEqual(parseServerSettings(undefined).servers, defaultServers);
  const bad = parseServerSettings({ name: 'x' });
  assert.deepEqual(bad.servers, defaultServers);
  assert.match(bad.problems[0]!, /must be an array/);
});

test('broken entries are skipped with a message naming the entry; good ones are normalised', () => {
  const parsed = parseServerSettings([
    { name: 'a', httpUrl: 'http://h:8000/', grpcUrl: 'h:8001', protocol: 'grpc', tls: { caFile: '/ca.pem', insecureSkipVerify: true }, headers: { 'x-team': 'ml', 'bad header': 'v', n: 1 } },
    { name: 'a', httpUrl: 'http://other:8000' },
    { httpUrl: 'http://h:1' },
    { name: 'b', httpUrl: 'ftp://h' },
    { name: 'c', httpUrl: 'https://h', protocol: 'grpc', grpcUrl: 'grpc://h:1' },
    'nonsense',
  ]);
  assert.deepEqual(parsed.servers, [
    { name: 'a', httpUrl: 'http://h:8000', grpcUrl: 'h:8001', protocol: 'grpc', tls: { caFile: '/ca.pem', insecureSkipVerify: true }, headers: { 'x-team': 'ml' } },
    { name: 'c', httpUrl: 'https://h', protocol: 'http' },
  ]);
  const text = parsed.problems.join('\n');
  assert.match(text, /triton\.servers\[0\] \(a\): header 'bad header' ignored/);
  assert.match(text, /triton\.servers\[1\]: a server named 'a' already exists/);
  assert.match(text, /triton\.servers\[2\]: a server needs a name/);
  assert.match(text, /triton\.servers\[3\] \(b\): 'ftp:\/\/h' must start with http/);
  assert.match(text, /triton\.servers\[4\] \(c\): 'grpc:\/\/h:1' must be host:port without a scheme/);
  assert.match(text, /triton\.servers\[5\]: expected an object/);
  assert.deepEqual(serverToSetting(parsed.servers[0]!), parsed.servers[0]);
});

test('input validation explains each mistake', () => {
  assert.equal(validateHttpUrl('http://localhost:8000'), undefined);
  assert.match(validateHttpUrl('localhost:8000')!, /must start with http|not a URL/);
  assert.match(validateHttpUrl('http://user:pw@h:1')!, /secret header/);
  assert.match(validateHttpUrl('http://h:1/?x=1')!, /query/);
  assert.equal(validateGrpcTarget('[::1]:8001'), undefined);
  assert.match(validateGrpcTarget('h:99999')!, /out of range/);
  assert.match(validateGrpcTarget('h')!, /not host:port/);
  assert.match(validateServerName('x', new Set(['x']))!, /already exists/);
  assert.match(validateServerName('a\u0007b', new Set())!, /control characters/);
});

test('secret headers round-trip through the store and a corrupt entry reads as none', async () => {
  const map = new Map<string, string>();
  const store: SecretStore = {
    get: async (k) => map.get(k),
    store: async (k, v) => void map.set(k, v),
    delete: async (k) => void map.delete(k),
  };
  const prod: ServerConfig = { name: 'prod', httpUrl: 'https://triton.corp:8000', protocol: 'http' };
  await writeSecretHeaders(store, prod, { Authorization: 'Bearer t' });
  assert.deepEqual(await readSecretHeaders(store, prod), { Authorization: 'Bearer t' });
  map.set(secretKeyFor('prod'), '{not json');
  assert.deepEqual(await readSecretHeaders(store, prod), {});
  await writeSecretHeaders(store, prod, {});
  assert.equal(map.size, 0);
});

test('secrets are bound to the address they were saved for: the same name at another URL gets none', async () => {
  const map = new Map<string, string>();
  const store: SecretStore = { get: async (k) => map.get(k), store: async (k, v) => void map.set(k, v), delete: async (k) => void map.delete(k) };
  const prod: ServerConfig = { name: 'prod', httpUrl: 'https://triton.corp:8000/base', grpcUrl: 'triton.corp:8001', protocol: 'http' };
  await writeSecretHeaders(store, prod, { Authorization: 'Bearer t', 'admin-key': 'k' });
  // Same origin and gRPC target (path and protocol choice do not matter): still sent.
  assert.deepEqual(await readSecretHeaders(store, { ...prod, httpUrl: 'https://triton.corp:8000/other', protocol: 'grpc' }), { Authorization: 'Bearer t', 'admin-key': 'k' });
  assert.equal(await withheldSecretsReason(store, prod), undefined);
  for (const hostile of [
    { ...prod, httpUrl: 'https://attacker.example' },
    { ...prod, httpUrl: 'http://triton.corp:8000/base' },
    { ...prod, grpcUrl: 'attacker.example:8001', protocol: 'grpc' as const },
    { name: 'prod', httpUrl: 'https://triton.corp:8000', protocol: 'http' as const },
  ]) {
    assert.deepEqual(await readSecretHeaders(store, hostile), {}, JSON.stringify(hostile));
    assert.match((await withheldSecretsReason(store, hostile))!, /were saved for https:\/\/triton\.corp:8000 \(gRPC triton\.corp:8001\), not for .*enter the token again/);
  }
  // Entries from before the binding carry no address: never sent, and the reason says so.
  map.set(secretKeyFor('old'), JSON.stringify({ Authorization: 'Bearer legacy' }));
  const old: ServerConfig = { name: 'old', httpUrl: 'http://h:8000', protocol: 'http' };
  assert.deepEqual(await readSecretHeaders(store, old), {});
  assert.match((await withheldSecretsReason(store, old))!, /an address that was not recorded/);
  assert.deepEqual((await readStoredSecrets(store, 'old')).headers, { Authorization: 'Bearer legacy' });
});
