// Reference server entry point: options, startup loading and log tables, both listeners, restart and shutdown.
import { existsSync, statSync } from 'node:fs';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { FaultStore } from './faults';
import { startGrpcServer } from './grpcServer';
import type { GrpcHandle } from './grpcServer';
import { createHttpServer } from './httpServer';
import { createMetricsServer } from './metrics';
import { BufferPool } from './bufferPool';
import { InferenceCore } from './inferCore';
import { Logger } from './logger';
import type { LogFormat } from './logger';
import { ModelRepository } from './repository';
import type { ControlMode } from './repository';
import { SharedMemoryManager } from './sharedMemory';
import { EXTENSIONS, SERVER_VERSION, TraceStore } from './serverState';
import type { ServerState } from './serverState';
import { OptionError, parseOptions } from './options';

async function listenHttp(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', rej);
      res();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function main(): Promise<void> {
  let opts: ReturnType<typeof parseOptions>;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(2);
  }
  const log = new Logger({
    log_file: opts.logFile, log_info: opts.logInfo, log_warning: opts.logWarning, log_error: opts.logError,
    log_verbose_level: opts.logVerbose, log_format: opts.logFormat as LogFormat,
  });
  for (const name of opts.ignored) log.warning('command_line_parser.cc:2100', `--${name} has no effect on the reference server`);
  const mode: ControlMode = opts.mode;
  const root = resolve(opts.modelRepository);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    process.stderr.write(`error: creating server: Internal - failed to stat file ${root}\n`);
    process.exit(1);
  }
  const repo = new ModelRepository(root, mode, log);
  const shm = new SharedMemoryManager();
  const state: ServerState = {
    repo, shm, log, mode, core: new InferenceCore(repo, shm, log), strictReadiness: opts.strictReadiness,
    maxInputSize: opts.maxInputSize, live: true, ready: false, trace: new TraceStore(),
    httpRestrictions: opts.httpRestrictions, grpcRestrictions: opts.grpcRestrictions, buffers: new BufferPool(),
  };
  const names = opts.loadModels.includes('*') ? repo.scan() : opts.loadModels;
  for (const name of names) {
    try {
      repo.load(name);
    } catch {
      // The failure is logged and shows in the index; the server keeps running like --exit-on-error=false.
    }
  }
  log.table('server.cc:631', ['Repository Agent', 'Path'], []);
  log.table('server.cc:658', ['Backend', 'Path', 'Config'], [['reference', '<built-in>', '{}']]);
  log.table('server.cc:701', ['Model', 'Version', 'Status'], repo.statusRows());
  log.info('metrics.cc:890', 'Collecting CPU metrics');
  log.table('tritonserver.cc:2598', ['Option', 'Value'], [
    ['server_id', 'triton'], ['server_version', SERVER_VERSION], ['server_extensions', EXTENSIONS.join(' ')],
    ['model_repository_path[0]', repo.root], ['model_control_mode', `MODE_${mode.toUpperCase()}`],
    ...names.map((n, i) => [`startup_models_${i}`, n]), ['strict_model_config', '0'], ['model_config_name', ''],
    ['rate_limit', 'OFF'], ['pinned_memory_pool_byte_size', '268435456'], ['min_supported_compute_capability', '6.0'],
    ['strict_readiness', String(opts.strictReadiness ? 1 : 0)], ['exit_timeout', '30'], ['cache_enabled', '0'],
  ]);

  const faults = new FaultStore();
  let httpPort = opts.httpPort;
  let grpcPort = opts.grpcPort;
  let metricsPort = opts.metricsPort;
  let httpServer: http.Server;
  let metricsServer: http.Server | undefined;
  let grpc: GrpcHandle | undefined;
  let restarting = false;
  const control = {
    faults,
    restart: (delayMs: number): void => {
      if (restarting) return;
      restarting = true;
      log.info('server.cc:305', `Restarting listeners in ${delayMs} ms`);
      void (async () => {
        await stopListeners();
        setTimeout(() => {
          void startListeners().then(() => {
            restarting = false;
            log.info('server.cc:310', 'Listeners restarted');
          }, (err: Error) => fatal(`restart failed: ${err.message}`));
        }, delayMs);
      })();
    },
  };

  async function startListeners(): Promise<void> {
    grpc = await startGrpcServer(state, faults, grpcPort);
    grpcPort = grpc.port;
    log.info('grpc_server.cc:2558', `Started GRPCInferenceService at 127.0.0.1:${grpcPort}`);
    httpServer = createHttpServer(state, control);
    httpPort = await listenHttp(httpServer, httpPort);
    log.info('http_server.cc:4725', `Started HTTPService at 127.0.0.1:${httpPort}`);
    if (metricsPort !== undefined) {
      metricsServer = createMetricsServer(repo);
      metricsPort = await listenHttp(metricsServer, metricsPort);
      log.info('http_server.cc:4818', `Started Metrics Service at 127.0.0.1:${metricsPort}`);
    }
  }

  async function stopListeners(): Promise<void> {
    const closing = new Promise<void>((res) => httpServer.close(() => res()));
    httpServer.closeAllConnections();
    await closing;
    if (metricsServer) {
      const server = metricsServer;
      const closed = new Promise<void>((res) => server.close(() => res()));
      server.closeAllConnections();
      await closed;
    }
    await grpc?.stop();
  }

  function fatal(message: string): never {
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  }

  try {
    await startListeners();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e.code === 'EADDRINUSE') fatal(`creating server: Unavailable - Socket '127.0.0.1:${e.port ?? httpPort}' already in use`);
    if (/No address added/.test(e.message)) fatal(`creating server: Unavailable - Socket '127.0.0.1:${grpcPort}' already in use`);
    fatal(`creating server: ${e.message}`);
  }
  state.ready = true;
  if (metricsPort !== undefined) process.stdout.write(`metrics http=127.0.0.1:${metricsPort}\n`);
  process.stdout.write(`ready http=127.0.0.1:${httpPort} grpc=127.0.0.1:${grpcPort}\n`);

  if (mode === 'poll') setInterval(() => repo.poll(), opts.pollSeconds * 1000).unref();
  process.on('SIGUSR2', () => control.restart(500));
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    state.ready = false;
    log.info('server.cc:336', 'Waiting for in-flight requests to complete.');
    void stopListeners().finally(() => {
      log.info('server.cc:352', 'All models are stopped, unloading models');
      repo.dispose();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (opts.exitWithParent) {
    process.stdin.on('end', shutdown);
    process.stdin.on('error', shutdown);
    process.stdin.resume();
  }
  // A server must survive anything a request does; report instead of dying.
  process.on('uncaughtException', (err) => log.error('server.cc:999', `unexpected error: ${err.stack ?? err.message}`));
}

void main();
