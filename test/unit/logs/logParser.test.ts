import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configPositionOf, LogParser, modelOf, unquoteMessage } from '../../../src/logs/logParser';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const parse = (text: string): ReturnType<LogParser['push']> => {
  const p = new LogParser({ now: () => NOW });
  return [...p.push(text.split('\n')), ...p.flush()];
};

test('default format: severity, UTC time with this year, pid, file:line and the unquoted message', () => {
  const [e] = parse(`E1124 22:21:45.384829 7401 model_lifecycle.cc:654] "failed to load 'broken_dims' version 1: Invalid argument: dims \\"x\\""`);
  assert.equal(e!.severity, 'error');
  assert.equal(e!.time, '11-24 22:21:45.384829');
  assert.equal(e!.timeMs, Date.UTC(2026, 10, 24, 22, 21, 45) + 384.829);
  assert.equal(e!.pid, 7401);
  assert.equal(e!.source, 'model_lifecycle.cc:654');
  assert.equal(e!.message, `failed to load 'broken_dims' version 1: Invalid argument: dims "x"`);
  assert.equal(e!.model, 'broken_dims');
  assert.equal(e!.loadFailure, true);
});

test('default format in late December read in early January belongs to last year', () => {
  const p = new LogParser({ now: () => Date.UTC(2027, 0, 1, 0, 5) });
  const [e] = p.push(['I1231 23:59:59.000001 1 server.cc:1] "x"']);
  assert.equal(new Date(e!.timeMs!).getUTCFullYear(), 2026);
});

test('ISO8601 format; W is a warning; unquoted messages of older servers are kept as printed', () => {
  const entries = parse([
    `2026-11-24T22:25:42Z I 8532 model_lifecycle.cc:849] "successfully loaded 'identity_fp32'"`,
    `2026-11-24T22:25:43Z W 8532 model_lifecycle.cc:300] ignore version directory 'x' which contains leading zeros`,
  ].join('\n'));
  assert.equal(entries.length, 2);
  assert.equal(entries[0]!.severity, 'info');
  assert.equal(entries[0]!.timeMs, Date.UTC(2026, 10, 24, 22, 25, 42));
  assert.equal(entries[0]!.message, `successfully loaded 'identity_fp32'`);
  assert.equal(entries[0]!.model, 'identity_fp32');
  assert.equal(entries[0]!.loadFailure, undefined);
  assert.equal(entries[1]!.severity, 'warning');
  assert.equal(entries[1]!.message, `ignore version directory 'x' which contains leading zeros`);
});

test('a table after an empty message is one entry that ends at the empty line', () => {
  const entries = parse([
    'I0520 20:03:25.912303 3355 server.cc:676] ',
    '+--------+---------+--------+',
    '| Model  | Version | Status |',
    '+--------+---------+--------+',
    '| simple | 1       | READY  |',
    '+--------+---------+--------+',
    '',
    'I0520 20:03:25.912400 3355 grpc_server.cc:2466] "Started GRPCInferenceService at 0.0.0.0:8001"',
  ].join('\n'));
  assert.equal(entries.length, 2);
  assert.equal(entries[0]!.message.split('\n').length, 5);
  assert.match(entries[0]!.message, /\| simple \| 1 +\| READY {2}\|/);
  assert.equal(entries[1]!.message, 'Started GRPCInferenceService at 0.0.0.0:8001');
  assert.deepEqual(entries.map((e) => e.seq), [0, 1]);
});

test('a protobuf dump after a heading ending in ":" joins the heading until the next prefix', () => {
  const entries = parse([
    'I0520 20:03:25.100000 3355 x.cc:1] "x"',
    'I0520 20:03:25.200000 3355 model_config_utils.cc:1] "Server side auto-completed config: "',
    'name: "simple"',
    'input {',
    '  name: "INPUT0"',
    '}',
    'E0520 20:03:25.300000 3355 model_lifecycle.cc:654] "failed to load \'simple\' version 1: boom"',
  ].join('\n'));
  assert.equal(entries.length, 3);
  assert.equal(entries[1]!.message, 'Server side auto-completed config: \nname: "simple"\ninput {\n  name: "INPUT0"\n}');
  assert.equal(entries[2]!.severity, 'error');
});

test('garbage and foreign lines are kept as plain text entries, never dropped or thrown', () => {
  const entries = parse([
    '[libprotobuf ERROR /tmp/text_format.cc:337] Error parsing text-format inference.ModelConfig: 3:60: Expected identifier, got: ]',
    'error: creating server: Internal - failed to load all models',
    'X1124 22:21:45.384829 7401 a.cc:1] "not a level"',
    '\u0000\u0001binary junk \uFFFD',
    'I1124 22:21:45 7401 a.cc:1] "no micros"',
    '2026-11-24T22:25:42Z Q 1 a.cc:1] "bad level"',
  ].join('\n'));
  assert.equal(entries.length, 6);
  for (const e of entries) {
    assert.equal(e.severity, 'text');
    assert.equal(e.time, undefined);
  }
  assert.equal(configPositionOf(entries[0]!.message)?.line, 3);
  assert.equal(configPositionOf(entries[0]!.message)?.column, 60);
});

test('a half-quoted message stays as printed; CRLF line ends are stripped', () => {
  const [e] = parse('I1124 22:21:45.384829 7401 a.cc:1] "unterminated\r');
  assert.equal(e!.message, '"unterminated');
  assert.deepEqual(unquoteMessage('"a\\tb"'), { text: 'a\tb', quoted: true });
});

test('messages name their model in the usual shapes', () => {
  assert.equal(modelOf('loading: simple_int8:1'), 'simple_int8');
  assert.equal(modelOf("Poll failed for model directory 'broken_syntax': failed to read text proto from /m/config.pbtxt"), 'broken_syntax');
  assert.equal(modelOf("failed to poll model 'nope': model not found in any model repository."), 'nope');
  assert.equal(modelOf('TRITONBACKEND_ModelInstanceInitialize: simple_0 (CPU device 0)'), 'simple');
  assert.equal(modelOf('Started HTTPService at 0.0.0.0:8000'), undefined);
});

test('a runaway multi-line entry is cut at the message limit', () => {
  const p = new LogParser({ now: () => NOW, maxMessageChars: 100 });
  const lines = ['I0520 20:03:25.912303 3355 server.cc:676] ', ...Array.from({ length: 50 }, () => '| row | row | row |')];
  const entries = [...p.push(lines), ...p.flush()];
  assert.equal(entries.length, 1);
  assert.ok(entries[0]!.message.length < 160, String(entries[0]!.message.length));
  assert.match(entries[0]!.message, /cut at 100 characters/);
});
