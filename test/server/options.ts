// Command-line options of the reference server (tritonserver spellings, `--x=v` or `--x v`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlMode } from './repository';
import { addRestriction } from './restrictions';
import type { Restrictions } from './restrictions';

export interface ServerOptions {
  modelRepository: string;
  httpPort: number;
  grpcPort: number;
  mode: ControlMode;
  loadModels: string[];
  logFile: string;
  logInfo: boolean;
  logWarning: boolean;
  logError: boolean;
  logVerbose: number;
  logFormat: string;
  strictReadiness: boolean;
  maxInputSize: number;
  pollSeconds: number;
  httpRestrictions: Restrictions;
  grpcRestrictions: Restrictions;
  /** Serve /metrics on this port (0 = free); off unless given, so parallel servers never collide on 8002. */
  metricsPort?: number;
  /** Shut down when stdin reaches its end: a test harness that dies, even by SIGKILL, takes the server with it. */
  exitWithParent: boolean;
  /** tritonserver options accepted so that the server can stand in for it, but without effect here. */
  ignored: string[];
}

const IGNORED = new Set([
  'exit-on-error', 'strict-model-config', 'disable-auto-complete-config', 'metrics-address', 'allow-metrics',
  'allow-gpu-metrics', 'allow-cpu-metrics', 'metrics-interval-ms', 'metrics-config', 'backend-directory', 'backend-config',
  'repoagent-directory', 'model-config-name', 'id', 'pinned-memory-pool-byte-size', 'cuda-memory-pool-byte-size',
  'min-supported-compute-capability', 'exit-timeout-secs', 'http-thread-count', 'grpc-infer-thread-count', 'rate-limit',
  'rate-limit-resource', 'cache-config', 'cache-directory', 'trace-config', 'allow-client-shm', 'http-address',
  'grpc-address', 'allow-http', 'allow-grpc', 'grpc-keepalive-time', 'grpc-keepalive-timeout', 'buffer-manager-thread-count',
  'model-load-thread-count', 'model-namespacing', 'host-policy', 'model-load-retry-count',
]);

export class OptionError extends Error {}

const bool = (name: string, v: string): boolean => {
  if (/^(true|1|on|yes)$/i.test(v)) return true;
  if (/^(false|0|off|no)$/i.test(v)) return false;
  throw new OptionError(`invalid value for --${name}: '${v}' (expected true or false)`);
};

const int = (name: string, v: string, min: number, max: number): number => {
  const n = Number(v);
  if (!/^-?[0-9]+$/.test(v) || n < min || n > max) throw new OptionError(`invalid value for --${name}: '${v}' (expected an integer in [${min}, ${max}])`);
  return n;
};

/** test/server/models, found from the source folder (tsx) or from the bundle in out/. */
function defaultRepository(): string {
  for (const candidate of [join(__dirname, 'models'), join(__dirname, '..', 'test', 'server', 'models')]) {
    if (existsSync(candidate)) return candidate;
  }
  return join(process.cwd(), 'test', 'server', 'models');
}

export function parseOptions(argv: string[]): ServerOptions {
  const opts: ServerOptions = {
    modelRepository: defaultRepository(), httpPort: 8000, grpcPort: 8001, mode: 'explicit', loadModels: [],
    logFile: '', logInfo: true, logWarning: true, logError: true, logVerbose: 0, logFormat: 'default', strictReadiness: true,
    maxInputSize: 64 * 1024 * 1024, pollSeconds: 15,
    httpRestrictions: new Map(), grpcRestrictions: new Map(), ignored: [], exitWithParent: false,
  };
  let modeGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new OptionError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const value = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new OptionError(`--${name} needs a value`);
      return next;
    };
    switch (name) {
      case 'model-repository': case 'model-store': opts.modelRepository = value(); break;
      case 'http-port': opts.httpPort = int(name, value(), 0, 65535); break;
      case 'grpc-port': opts.grpcPort = int(name, value(), 0, 65535); break;
      case 'model-control-mode': {
        const v = value();
        if (v !== 'none' && v !== 'explicit' && v !== 'poll') throw new OptionError(`invalid value for --model-control-mode: '${v}' (none, explicit or poll)`);
        opts.mode = v;
        modeGiven = true;
        break;
      }
      case 'load-model': opts.loadModels.push(value()); break;
      case 'log-file': opts.logFile = value(); break;
      case 'log-info': opts.logInfo = bool(name, value()); break;
      case 'log-warning': opts.logWarning = bool(name, value()); break;
      case 'log-error': opts.logError = bool(name, value()); break;
      case 'log-verbose': opts.logVerbose = int(name, value(), 0, 100); break;
      case 'log-format': {
        const v = value();
        if (v !== 'default' && v !== 'ISO8601') throw new OptionError(`invalid argument for --log-format: '${v}'`);
        opts.logFormat = v;
        break;
      }
      case 'strict-readiness': opts.strictReadiness = bool(name, value()); break;
      case 'http-restricted-api': case 'grpc-restricted-protocol': {
        const v = value();
        try {
          addRestriction(v, name === 'http-restricted-api' ? opts.httpRestrictions : opts.grpcRestrictions);
        } catch (err) {
          throw new OptionError(`--${name}: ${(err as Error).message}`);
        }
        break;
      }
      case 'exit-with-parent': opts.exitWithParent = eq === -1 ? true : bool(name, value()); break;
      case 'metrics-port': opts.metricsPort = int(name, value(), 0, 65535); break;
      case 'repository-poll-secs': opts.pollSeconds = int(name, value(), 1, 3600); break;
      case 'http-max-input-size': opts.maxInputSize = int(name, value(), 1, 2 ** 31 - 1); break;
      default:
        if (!IGNORED.has(name)) throw new OptionError(`unknown option --${name}`);
        // The only tritonserver switch without a value.
        if (name !== 'disable-auto-complete-config' || eq !== -1) value();
        opts.ignored.push(name);
    }
  }
  // Without --model-control-mode every model loads at start and load/unload still work (explicit + '*').
  if (!modeGiven || (opts.mode !== 'explicit' && opts.loadModels.length === 0)) {
    if (opts.loadModels.length === 0) opts.loadModels = ['*'];
  }
  if (opts.mode !== 'explicit' && modeGiven) opts.loadModels = ['*'];
  return opts;
}
