// The demo: packages the extension, installs the VSIX into code-server, opens a copy of
// demo/workspace (a small model repository) with the reference server connected, and prints the URL.
// Ctrl-C stops everything it started.
// Usage: tsx scripts/demo.ts [--port N] [--screenshot [folder]] [--no-package]
//   --screenshot opens the workbench in Chromium, takes the README's pictures (scripts/demoScreenshots.ts)
//   into the folder (default media/screenshots) and exits.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, startCodeServer } from '../test/host/codeServer';
import type { CodeServer } from '../test/host/codeServer';
import { makeTempDir, withTimeout } from '../test/host/processes';
import { prepareWorkspace, vsixPath, writeWorkspaceSettings } from '../test/host/workspace';
import { startReferenceServer } from '../test/support/referenceServer';
import { captureScreenshots } from './demoScreenshots';
import type { ReferenceServer } from '../test/support/referenceServer';

interface DemoOptions {
  port: number;
  screenshot?: string;
  packageFirst: boolean;
}

function parseArgs(argv: readonly string[]): DemoOptions {
  const options: DemoOptions = { port: Number(process.env.DEMO_PORT ?? 0), packageFirst: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg === '--no-package') options.packageFirst = false;
    else if (arg === '--screenshot') {
      const next = argv[i + 1];
      options.screenshot = next && !next.startsWith('--') ? resolve(argv[++i] ?? '') : join(repoRoot, 'media/screenshots');
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error('--port needs a port number');
  return options;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (options.packageFirst) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/package.mjs')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('packaging the extension failed');
  }
  const vsix = vsixPath();
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing; run npm run package`);

  const temp = makeTempDir('triton-demo');
  let reference: ReferenceServer | undefined;
  let codeServer: CodeServer | undefined;
  const stopAll = async (): Promise<void> => {
    await codeServer?.stop();
    await reference?.stop();
    temp.remove();
  };
  try {
    const workspace = prepareWorkspace(join(temp.path, 'triton-demo'));
    // The server serves the opened workspace's model repository, so edits there are what it loads.
    reference = await withTimeout(
      startReferenceServer({ modelRepository: join(workspace, 'model_repository') }),
      60_000,
      'starting the reference server',
    );
    writeWorkspaceSettings(workspace, {
      server: reference,
      // "Triton: Start Server" → Custom command starts another reference server on this repository,
      // through the same launcher a docker or local tritonserver would use.
      settings: { 'triton.launcher.customCommand': ['${node}', join(repoRoot, 'test/server/run.mjs'), '--model-repository', '${repository}', '--http-port', '${httpPort}', '--grpc-port', '${grpcPort}', '--metrics-port', '${metricsPort}'] },
    });
    codeServer = await startCodeServer({ vsix: [vsix], port: options.port });

    if (options.screenshot) {
      await captureScreenshots(codeServer, workspace, options.screenshot);
      return 0;
    }
    const url = codeServer.workbenchUrl(workspace);
    console.log('');
    console.log(`[demo] reference server: http ${reference.httpUrl}  grpc ${reference.grpcUrl}`);
    console.log(`[demo] workspace: ${workspace}`);
    console.log(`[demo] open: ${url}`);
    console.log('[demo] press Ctrl-C to stop');
    const running = codeServer;
    await new Promise<void>((resolveStop) => {
      let done = false;
      const stop = (why: string): void => {
        if (done) return;
        done = true;
        console.log(`[demo] ${why}; stopping`);
        resolveStop();
      };
      process.once('SIGINT', () => stop('interrupted'));
      process.once('SIGTERM', () => stop('terminated'));
      running.process.child.once('exit', () => stop(`code-server exited:\n${running.process.output()}`));
    });
    return 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
