// Golden corpus: every case folder under test/fixtures/configs is a model repository linted like the CLI does.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { lintPaths } from '../../../src/pbtxt/lint';
import type { OnnxSpec } from './onnxBytes';
import { onnxModelBytes } from './onnxBytes';

const CORPUS = join(__dirname, '../../fixtures/configs');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const cases = readdirSync(CORPUS).filter((n) => statSync(join(CORPUS, n)).isDirectory()).sort();

test('the corpus has at least 60 configs, valid and invalid', () => {
  const configs = walk(CORPUS).filter((p) => p.endsWith('config.pbtxt'));
  assert.ok(configs.length >= 60, `only ${configs.length} configs`);
  assert.ok(cases.filter((c) => c.startsWith('valid_')).length >= 20);
  assert.ok(cases.filter((c) => !c.startsWith('valid_')).length >= 30);
});

test('ONNX fixtures are the bytes their onnx-spec.json describes', () => {
  const specs = walk(CORPUS).filter((p) => p.endsWith('onnx-spec.json'));
  assert.ok(specs.length >= 5);
  for (const specPath of specs) {
    const spec = JSON.parse(readFileSync(specPath, 'utf8')) as OnnxSpec & { file?: string };
    const target = join(dirname(specPath), spec.file ?? 'model.onnx');
    const bytes = Buffer.from(onnxModelBytes(spec));
    if (UPDATE || !existsSync(target)) writeFileSync(target, bytes);
    assert.deepEqual(readFileSync(target), bytes, target);
  }
});

for (const name of cases) {
  test(`corpus: ${name}`, async () => {
    const dir = join(CORPUS, name);
    // lint-options.json: LintOptions for the case, such as { "autoCompleteConfig": false }.
    const optionsPath = join(dir, 'lint-options.json');
    const extra = existsSync(optionsPath) ? (JSON.parse(readFileSync(optionsPath, 'utf8')) as { autoCompleteConfig?: boolean }) : {};
    const result = await lintPaths(['.'], { base: dir, ...extra });
    assert.deepEqual(result.problems, []);
    const actual = result.lines.join('\n') + (result.lines.length > 0 ? '\n' : '');
    const goldenPath = join(dir, 'expected.txt');
    if (UPDATE) writeFileSync(goldenPath, actual);
    const expected = existsSync(goldenPath) ? readFileSync(goldenPath, 'utf8') : '<missing expected.txt>';
    assert.equal(actual, expected);
    if (name.startsWith('valid_')) assert.equal(result.counts.error + result.counts.warning, 0, 'a valid case must have no errors or warnings');
    else assert.ok(result.counts.error + result.counts.warning > 0, 'an invalid case must report something');
  });
}
