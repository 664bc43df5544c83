// Schema from proto/model_config.proto, schema checks, and position → type resolution.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { locate, messageTypeAtPath } from '../../../src/pbtxt/locate';
import { parse } from '../../../src/pbtxt/parser';
import { loadSchema } from '../../../src/pbtxt/schema';
import { checkSchema } from '../../../src/pbtxt/schemaCheck';

test('the schema is read from the proto (fields, numbers, oneofs, maps, enums) and cached', () => {
  const s = loadSchema();
  assert.equal(loadSchema(), s);
  assert.equal(s.root.fullName, 'inference.ModelConfig');
  const backend = s.root.fields.get('backend');
  assert.equal(backend?.number, 17);
  assert.equal(s.root.fields.get('dynamic_batching')?.oneof, 'scheduling_choice');
  const params = s.root.fields.get('parameters');
  assert.equal(params?.map, true);
  assert.equal(params?.typeLabel, 'map<string, ModelParameter>');
  const dims = messageTypeAtPath(s, ['input'])?.fields.get('dims');
  assert.equal(dims?.repeated, true);
  assert.deepEqual(dims?.type, { kind: 'scalar', scalar: 'int64' });
  assert.equal(s.enums.get('inference.DataType')?.values.get('TYPE_BF16'), 14);
  assert.equal(messageTypeAtPath(s, ['dynamic_batching', 'priority_queue_policy'])?.fields.get('key')?.typeLabel, 'uint64');
  assert.equal(messageTypeAtPath(s, ['nope']), undefined);
});

function diags(text: string): { code: string; message: string; line: number; character: number; fix?: string }[] {
  const doc = parse(text);
  return checkSchema(doc, loadSchema()).map((d) => ({
    code: d.code, message: d.message, line: d.range.start.line, character: d.range.start.character,
    ...(d.fix !== undefined ? { fix: d.fix.edits.map((e) => `${text.slice(e.range.start.offset, e.range.end.offset)}→${e.newText}`).join(';') } : {}),
  }));
}

test('unknown fields come with "did you mean" and a quick fix to the right name', () => {
  const d = diags('max_batch_sise: 4\ninput { dataType: TYPE_FP32 }\nzzzz: 1');
  assert.deepEqual(d.map((x) => [x.code, x.line, x.character, x.fix]), [
    ['unknown-field', 0, 0, 'max_batch_sise→max_batch_size'],
    ['unknown-field', 1, 8, 'dataType→data_type'],
    ['unknown-field', 2, 0, undefined],
  ]);
});

test('enum values: unknown names, numbers, quoted names', () => {
  const d = diags('input { data_type: TYPE_FLOAT32 }\ninput { data_type: 11 }\ninput { data_type: 99 }\ninput { data_type: "TYPE_FP32" }');
  assert.deepEqual(d.map((x) => [x.code, x.line, x.fix]), [
    ['unknown-enum-value', 0, 'TYPE_FLOAT32→TYPE_FP32'],
    ['unknown-enum-value', 2, undefined],
    ['quoted-enum', 3, '"TYPE_FP32"→TYPE_FP32'],
  ]);
});

test('value types and integer ranges follow the field types', () => {
  const d = diags([
    'name: model', 'max_batch_size: 2147483648', 'max_batch_size: 0', 'input { dims: [ 1.5 ] optional: 2 }',
    'sequence_batching { max_sequence_idle_microseconds: -1 direct { minimum_slot_utilization: 010 } }',
    'version_policy { specific { versions: [ 9223372036854775807 ] } }', 'model_warmup { batch_size: 4294967295 count: 1 }',
    'optimization { cuda { graphs: 1 busy_wait_events: t } }',
  ].join('\n'));
  assert.deepEqual(d.map((x) => [x.code, x.line]), [
    ['wrong-type', 0], ['integer-range', 1], ['duplicate-field', 2], ['wrong-type', 3], ['wrong-type', 3], ['integer-range', 4], ['wrong-type', 4],
  ]);
  assert.match(d[1].message, /int32 holds -2147483648 to 2147483647/);
});

test('repeated vs singular, duplicates (proto3 default rule), oneofs, maps', () => {
  const d = diags([
    'max_batch_size: [ 1 ]',
    'name: "" name: "a"',
    'backend: "x" backend: "y"',
    'response_cache { } response_cache { }',
    'version_policy { latest { } specific { } }',
    'parameters { key: "k" value { string_value: "1" } } parameters { key: "k" value { string_value: "2" } }',
    'parameters { key: "j" value: "bare" }',
    'input: 5',
    'dims: [ 1 ]',
  ].join('\n'));
  assert.deepEqual(d.map((x) => [x.code, x.line]), [
    ['not-repeated', 0], ['duplicate-field', 2], ['duplicate-field', 3], ['oneof-conflict', 4],
    ['duplicate-map-key', 5], ['expected-message', 6], ['expected-message', 7], ['unknown-field', 8],
  ]);
  assert.equal(d[5].fix, '"bare"→{ string_value: "bare" }');
  assert.equal(d[6].fix, undefined);
});

test('locate answers which message type and field are at an offset', () => {
  const text = 'name: "x"\ninput [ { name: "a" reshape { shape: [ 1 ] } } ]\nparameters { key: "k" value { string_value: "v" } }\ndynamic_batching {\n  ';
  const doc = parse(text);
  const s = loadSchema();
  const at = (needle: string, delta = 0): ReturnType<typeof locate> => locate(doc, s, text.indexOf(needle) + delta);
  assert.equal(at('name').messageType?.name, 'ModelConfig');
  assert.equal(at('name').onName, true);
  assert.equal(at('name').fieldInfo?.name, 'name');
  const shape = at('shape:');
  assert.equal(shape.messageType?.name, 'ModelTensorReshape');
  assert.deepEqual(shape.path, ['input', 'reshape']);
  assert.equal(shape.fieldInfo?.typeLabel, 'int64');
  assert.equal(at('string_value').messageType?.name, 'ModelParameter');
  assert.equal(at('value {').messageType?.name, 'ParametersEntry');
  const open = locate(doc, s, text.length);
  assert.equal(open.messageType?.name, 'ModelDynamicBatching');
  assert.equal(open.field, undefined);
});
