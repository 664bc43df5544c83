// Reference server command line: tritonserver spellings, model control defaults, restrictions, refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OptionError, parseOptions } from '../../server/options';
import { addRestriction, grpcCategory, httpCategory, httpRestriction } from '../../server/restrictions';
import type { Restrictions } from '../../server/restrictions';

describe('reference server options', () => {
  it('loads everything in explicit mode by default, and only named models when the mode is given', () => {
    const d = parseOptions([]);
    assert.deepEqual([d.mode, d.loadModels, d.httpPort, d.grpcPort, d.strictReadiness], ['explicit', ['*'], 8000, 8001, true]);
    assert.equal(parseOptions(['--strict-readiness=false']).strictReadiness, false, 'tritonserver spells the opt-out this way');
    const explicit = parseOptions(['--model-control-mode=explicit', '--load-model', 'simple', '--load-model=identity_fp32']);
    assert.deepEqual(explicit.loadModels, ['simple', 'identity_fp32']);
    assert.deepEqual(parseOptions(['--model-control-mode', 'explicit']).loadModels, []);
    assert.deepEqual(parseOptions(['--model-control-mode=none', '--load-model=simple']).loadModels, ['*']);
  });

  it('reads values in both spellings, accepts other tritonserver options and refuses unknown ones', () => {
    const o = parseOptions(['--http-port=0', '--grpc-port', '0', '--log-verbose=2', '--log-format', 'ISO8601', '--metrics-port=0', '--allow-metrics', 'false', '--disable-auto-complete-config', '--exit-on-error=false']);
    assert.deepEqual([o.httpPort, o.grpcPort, o.logVerbose, o.logFormat, o.metricsPort], [0, 0, 2, 'ISO8601', 0]);
    assert.deepEqual(o.ignored, ['allow-metrics', 'disable-auto-complete-config', 'exit-on-error']);
    assert.equal(parseOptions(['--exit-with-parent']).exitWithParent, true);
    assert.equal(parseOptions([]).exitWithParent, false);
    assert.throws(() => parseOptions(['--bogus=1']), OptionError);
    assert.throws(() => parseOptions(['--http-port=70000']), /invalid value for --http-port/);
    assert.throws(() => parseOptions(['--log-format=iso8601']), /invalid argument for --log-format/);
    assert.throws(() => parseOptions(['--model-control-mode=auto']), /none, explicit or poll/);
    assert.throws(() => parseOptions(['--log-file']), /needs a value/);
  });

  it('maps endpoints to restricted categories and checks the header', () => {
    const r: Restrictions = new Map();
    addRestriction('inference,model-repository:api-key=s3', r);
    assert.throws(() => addRestriction('bogus:k=v', r), /unknown API category 'bogus'/);
    assert.throws(() => addRestriction('logging', r), /expected <api>/);
    assert.equal(httpCategory('/v2/models/simple/versions/1/infer'), 'inference');
    assert.equal(httpCategory('/v2/models/simple/ready'), 'health');
    assert.equal(httpCategory('/v2/models/simple'), 'metadata');
    assert.equal(httpCategory('/v2/systemsharedmemory/status'), 'shared-memory');
    assert.equal(grpcCategory('CudaSharedMemoryRegister'), 'shared-memory');
    assert.equal(grpcCategory('Check'), 'health');
    assert.equal(httpRestriction(r, '/v2/repository/index', () => undefined), "This API is restricted, expecting header 'api-key'");
    assert.equal(httpRestriction(r, '/v2/repository/index', (k) => (k === 'api-key' ? 's3' : undefined)), undefined);
    assert.equal(httpRestriction(r, '/v2/health/live', () => undefined), undefined);
  });
});
