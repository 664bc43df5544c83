import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerSettings } from '../../../src/services/serverConfig';
import { appendServerSetting, removeServerSetting, updateServerSetting } from '../../../src/services/serverSettingsEdit';

// A settings list as a user might have it: one entry the parser skips, one with a bad header, an
// unknown key and an unknown TLS field, and a later entry that shadows nothing.
function userList(): unknown[] {
  return [
    { name: 'gpu', httpUrl: 'gpu-box:8000', grpcUrl: 'gpu-box:8001' },
    { name: 'b', httpUrl: 'http://x:1', headers: { 'X Bad': 'v', 'x-ok': 'y' }, tls: { caFile: '/ca.pem', servername: 'foo' }, comment: 'keep me' },
    'not even an object',
    { name: 'c', httpUrl: 'http://c:8000', grpcUrl: 'no-port', protocol: 'http' },
  ];
}

test('adding a server appends it and keeps every other entry verbatim', () => {
  const out = appendServerSetting(userList(), { name: 'new', httpUrl: 'http://n:8000', protocol: 'http' });
  assert.deepEqual(out.slice(0, 4), userList());
  assert.deepEqual(out[4], { name: 'new', httpUrl: 'http://n:8000', protocol: 'http' });
});

test('editing one field changes only that field of that entry', () => {
  const out = updateServerSetting(userList(), 'b', { httpUrl: 'http://y:2' });
  const expected = userList();
  (expected[1] as Record<string, unknown>).httpUrl = 'http://y:2';
  assert.deepEqual(out, expected);
  // The invalid gRPC address of 'c' survives an edit of its protocol (the user fixes it later).
  const c = updateServerSetting(userList(), 'c', { protocol: 'http' })[3] as Record<string, unknown>;
  assert.equal(c.grpcUrl, 'no-port');
  const tls = updateServerSetting(userList(), 'b', { tls: { caFile: '/other.pem' } })[1] as Record<string, unknown>;
  assert.deepEqual(tls.tls, { caFile: '/other.pem', servername: 'foo' });
  const noGrpc = updateServerSetting([{ name: 'g', httpUrl: 'http://g:1', grpcUrl: 'g:2', protocol: 'grpc' }], 'g', { grpcUrl: null, protocol: 'http' });
  assert.deepEqual(noGrpc, [{ name: 'g', httpUrl: 'http://g:1', protocol: 'http' }]);
});

test('renaming and removing touch only the entry the parser used for that name', () => {
  // The first 'dup' is skipped (bad URL); the server 'dup' comes from the second entry.
  const list = [{ name: 'dup', httpUrl: 'nope' }, { name: 'dup', httpUrl: 'http://d:1' }];
  assert.deepEqual(updateServerSetting(list, 'dup', { name: 'renamed' }), [{ name: 'dup', httpUrl: 'nope' }, { name: 'renamed', httpUrl: 'http://d:1' }]);
  assert.deepEqual(removeServerSetting(list, 'dup'), [{ name: 'dup', httpUrl: 'nope' }]);
  const removed = removeServerSetting(userList(), 'b');
  assert.deepEqual(removed, [userList()[0], userList()[2], userList()[3]]);
  assert.deepEqual(parseServerSettings(removed).servers.map((s) => s.name), ['c']);
});

test('an unset setting is edited as the default list; a non-list is refused, not overwritten', () => {
  assert.deepEqual(updateServerSetting(undefined, 'localhost', { httpUrl: 'http://localhost:9000' }), [
    { name: 'localhost', httpUrl: 'http://localhost:9000', grpcUrl: 'localhost:8001', protocol: 'http' },
  ]);
  assert.deepEqual(removeServerSetting(undefined, 'localhost'), []);
  assert.throws(() => appendServerSetting({ name: 'x' }, { name: 'y', httpUrl: 'http://y:1', protocol: 'http' }), /not a list of servers; fix or remove it/);
  assert.throws(() => updateServerSetting(userList(), 'ghost', { httpUrl: 'http://z:1' }), /server 'ghost' is no longer in triton.servers/);
});
