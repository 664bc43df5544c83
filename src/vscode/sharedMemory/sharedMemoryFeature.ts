// Shared memory behind its registration (registerSharedMemory): create and register, register
// existing, unregister, destroy, status, CUDA regions; regions this extension made are cleaned up when
// the window closes or their server is removed, and those of a window that died are offered for cleanup.
import * as vscode from 'vscode';
import { commandIds, SharedMemoryCommand } from '../../services/commandIds';
import type { SharedMemoryCommandId } from '../../services/commandIds';
import type { ExplorerNode } from '../../services/explorerTree';
import { CUDA_UNAVAILABLE, CudaHelper } from '../../services/sharedMemory/cudaHelper';
import type { CudaAllocation } from '../../services/sharedMemory/cudaHelper';
import { formatBytes, parseByteSize } from '../../services/sharedMemory/preflight';
import type { ShmClient } from '../../services/sharedMemory/preflight';
import type { RegionLedger, RegionRecord } from '../../services/sharedMemory/regionLedger';
import { SharedMemoryService, validateRegionName } from '../../services/sharedMemory/regionService';
import type { RegionRow } from '../../services/sharedMemory/regionService';
import { validateShmKey } from '../../triton/sharedMemory';
import { TritonError } from '../../triton/errors';
import type { ExplorerApi } from '../explorer/registerExplorer';
import { reasonOf } from '../explorer/explorerContext';
import type { Logger } from '../log';

export interface SharedMemoryFeatureDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly explorer: ExplorerApi;
  /** The regions this extension made: the registration owns it (read at activation for leftovers). */
  readonly ledger: RegionLedger;
}

export interface SharedMemoryFeature {
  readonly service: SharedMemoryService;
  readonly commands: Readonly<Record<SharedMemoryCommandId, (...args: unknown[]) => Promise<unknown>>>;
  /** Destroys the regions made for servers no longer configured. */
  cleanupRemovedServers(serverIds: readonly string[]): void;
  /** Asks whether to remove the regions that windows no longer running left behind. */
  offerCleanupOfLeftovers(): Promise<void>;
  /** Unregisters and unlinks everything this window made. */
  cleanup(): Promise<void>;
}

function isShmClient(c: unknown): c is ShmClient {
  return typeof c === 'object' && c !== null && typeof (c as ShmClient).systemSharedMemoryStatus === 'function';
}

export function createSharedMemoryFeature({ context, log, explorer, ledger }: SharedMemoryFeatureDeps): SharedMemoryFeature {
  const { catalog, tree } = explorer;
  const service = new SharedMemoryService({
    ledger,
    client: async (serverId) => {
      if (!catalog.serverIds().includes(serverId)) throw new TritonError('not-found', `no server named '${serverId}' is configured`);
      const client = await catalog.client(serverId);
      if (!isShmClient(client)) throw new TritonError('unsupported', `the client of '${serverId}' cannot manage shared memory`);
      return client;
    },
    serverVersion: (serverId) => catalog.server(serverId)?.health.version,
  });
  const cuda = new CudaHelper(vscode.Uri.joinPath(context.extensionUri, 'dist', 'cuda-helper.py').fsPath);
  const cudaRegions = new Map<string, CudaAllocation & { serverId: string }>();
  const subs = context.subscriptions;
  subs.push({ dispose: () => cuda.dispose() });

  const redrawSection = (serverId: string): void => {
    const node = tree.find(`server:${serverId}/shm`);
    explorer.redraw(node);
  };

  const serverArg = async (arg: unknown): Promise<string | undefined> => {
    const node = arg as ExplorerNode | undefined;
    if (node?.serverId !== undefined) return node.serverId;
    const ids = catalog.serverIds();
    if (ids.length === 1) return ids[0];
    const active = explorer.activeServerId();
    const pick = await vscode.window.showQuickPick(ids.map((id) => ({ label: id, description: id === active ? 'active' : undefined })), { title: 'Shared memory: which server?' });
    return pick?.label;
  };

  const ask = (title: string, prompt: string, value: string, validate: (v: string) => string | undefined): Thenable<string | undefined> =>
    vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: validate });
  const problem = (f: () => void): string | undefined => {
    try {
      f();
      return undefined;
    } catch (error) {
      return reasonOf(error);
    }
  };
  const sizeProblem = (v: string): string | undefined => (parseByteSize(v) === undefined ? 'a size in bytes, or with a unit: 4096, 64 KiB, 16 MiB' : undefined);
  const wholeProblem = (v: string): string | undefined => (/^\d+$/.test(v.trim()) ? undefined : 'a whole number ≥ 0');
  // The answers every region command asks for, each checked as it is typed.
  const askName = (title: string, prompt: string, value: string): Thenable<string | undefined> => ask(title, prompt, value, (v) => problem(() => validateRegionName(v)));
  const askKey = (title: string, prompt: string, value: string): Thenable<string | undefined> => ask(title, prompt, value, (v) => problem(() => validateShmKey(v)));
  const askSize = async (title: string): Promise<number | undefined> => {
    const size = await ask(title, 'Size', '1 MiB', sizeProblem);
    return size === undefined ? undefined : parseByteSize(size);
  };
  const askDevice = async (title: string): Promise<number | undefined> => {
    const device = await ask(title, 'Device id', '0', wholeProblem);
    return device === undefined ? undefined : Number(device);
  };

  const withProgress = <T>(title: string, work: (signal: AbortSignal) => Promise<T>): Thenable<T> =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return work(abort.signal);
    });

  const handlers: Record<SharedMemoryCommandId, (...args: unknown[]) => Promise<unknown>> = {
    [SharedMemoryCommand.createRegion]: async (arg) => {
      const serverId = await serverArg(arg);
      if (serverId === undefined) return undefined;
      const title = `Create & Register Shared Memory on ${serverId}`;
      const name = await askName(title, 'Region name (how requests refer to it)', `region_${ledger.mine().length + 1}`);
      if (name === undefined) return undefined;
      const key = await askKey(title, 'Key: the /dev/shm object to create, "/name"', `/${name}`);
      if (key === undefined) return undefined;
      const size = await askSize(title);
      if (size === undefined) return undefined;
      const record = await withProgress(`Creating shared memory '${name}'`, (signal) => service.createAndRegister(serverId, { name, key, byteSize: size }, signal));
      log.info(`Created and registered shared memory '${name}' (${key}, ${record.byteSize} bytes) on '${serverId}'`);
      redrawSection(serverId);
      void vscode.window.showInformationMessage(`Shared memory '${name}' (${key}, ${formatBytes(record.byteSize)}) is registered on ${serverId}.`);
      return record;
    },
    [SharedMemoryCommand.registerExisting]: async (arg) => {
      const serverId = await serverArg(arg);
      if (serverId === undefined) return undefined;
      const title = `Register Existing Shared Memory on ${serverId}`;
      const key = await askKey(title, 'Key of an existing /dev/shm object, "/name"', '/');
      if (key === undefined) return undefined;
      const offset = await ask(title, 'Offset into the object, in bytes', '0', wholeProblem);
      if (offset === undefined) return undefined;
      const size = await askSize(title);
      if (size === undefined) return undefined;
      const name = await askName(title, 'Region name', key.slice(1));
      if (name === undefined) return undefined;
      const result = await withProgress(`Registering '${name}'`, (signal) => service.registerExisting(serverId, { name, key, offset: Number(offset), byteSize: size }, signal));
      redrawSection(serverId);
      if (result.warning) void vscode.window.showWarningMessage(`Registered '${name}'. ${result.warning}`);
      else void vscode.window.showInformationMessage(`Registered '${name}' (${key} at ${offset}, ${formatBytes(size)}) on ${serverId}.`);
      return result;
    },
    [SharedMemoryCommand.registerCuda]: async (arg) => {
      const serverId = await serverArg(arg);
      if (serverId === undefined) return undefined;
      const title = `Register CUDA Shared Memory on ${serverId}`;
      const name = await askName(title, 'Region name', 'cuda_region');
      if (name === undefined) return undefined;
      const handle = await ask(title, 'cudaIpcMemHandle_t, base64 (64 bytes; tritonclient: cudashm.get_raw_handle(h))', '', (v) => (Buffer.from(v.trim(), 'base64').length === 64 && /^[A-Za-z0-9+/]+={0,2}$/.test(v.trim()) ? undefined : 'base64 of the 64-byte handle'));
      if (handle === undefined) return undefined;
      const device = await askDevice(title);
      if (device === undefined) return undefined;
      const size = await askSize(title);
      if (size === undefined) return undefined;
      await withProgress(`Registering CUDA region '${name}'`, (signal) => service.registerCuda(serverId, { name, rawHandle: Buffer.from(handle.trim(), 'base64'), deviceId: device, byteSize: size }, signal));
      redrawSection(serverId);
      return name;
    },
    [SharedMemoryCommand.createCudaRegion]: async (arg) => {
      const serverId = await serverArg(arg);
      if (serverId === undefined) return undefined;
      try {
        await cuda.probe();
      } catch (error) {
        void vscode.window.showWarningMessage(reasonOf(error).startsWith(CUDA_UNAVAILABLE) ? reasonOf(error) : `${CUDA_UNAVAILABLE}: ${reasonOf(error)}`);
        return undefined;
      }
      const title = `Create & Register CUDA Shared Memory on ${serverId}`;
      const name = await askName(title, 'Region name', 'cuda_region');
      if (name === undefined) return undefined;
      const device = await askDevice(title);
      if (device === undefined) return undefined;
      const size = await askSize(title);
      if (size === undefined) return undefined;
      const allocation = await cuda.create(size, device);
      try {
        await withProgress(`Registering CUDA region '${name}'`, (signal) => service.registerCuda(serverId, { name, rawHandle: Buffer.from(allocation.handle, 'base64'), deviceId: allocation.deviceId, byteSize: allocation.byteSize }, signal));
      } catch (error) {
        await cuda.free(allocation.allocation).catch(() => undefined);
        throw error;
      }
      cudaRegions.set(`${serverId}\u0000${name}`, { ...allocation, serverId });
      redrawSection(serverId);
      return name;
    },
    [SharedMemoryCommand.unregister]: async (arg) => {
      const node = arg as ExplorerNode | undefined;
      const row = node?.kind === 'shm-region' ? (node.data as RegionRow) : undefined;
      const serverId = await serverArg(arg);
      if (serverId === undefined) return undefined;
      let target = row;
      if (target === undefined) {
        const rows = (await service.regions(serverId)).filter((r) => r.registered);
        if (rows.length === 0) return void vscode.window.showInformationMessage(`No shared memory is registered on ${serverId}.`);
        const pick = await vscode.window.showQuickPick(rows.map((r) => ({ label: r.name, description: `${r.kind} · ${formatBytes(r.byteSize)}`, row: r })), { title: 'Unregister which region?' });
        target = pick?.row;
      }
      if (target === undefined) return undefined;
      await service.unregister(serverId, target.kind, target.name);
      await releaseCuda(serverId, target.kind === 'cuda' ? target.name : undefined, target.kind === 'cuda');
      redrawSection(serverId);
      return target.name;
    },
    [SharedMemoryCommand.unregisterAll]: async (arg) => {
      const serverId = await serverArg(arg);
      if (serverId === undefined) return undefined;
      const ok = await vscode.window.showWarningMessage(`Unregister every system and CUDA shared-memory region on ${serverId}? Requests of other clients using them will fail.`, { modal: true }, 'Unregister All');
      if (ok !== 'Unregister All') return undefined;
      await service.unregister(serverId, 'system');
      await service.unregister(serverId, 'cuda').catch((e: unknown) => log.warn(`Unregistering CUDA regions on '${serverId}': ${reasonOf(e)}`));
      await releaseCuda(serverId, undefined, true);
      redrawSection(serverId);
      return true;
    },
    [SharedMemoryCommand.destroy]: async (arg) => {
      const node = arg as ExplorerNode | undefined;
      const row = node?.kind === 'shm-region' ? (node.data as RegionRow) : undefined;
      let record: RegionRecord | undefined = row !== undefined ? ledger.all().find((r) => r.key === row.key) : undefined;
      if (record === undefined) {
        const mine = ledger.all();
        if (mine.length === 0) return void vscode.window.showInformationMessage('This extension has no shared-memory regions to destroy.');
        const pick = await vscode.window.showQuickPick(mine.map((r) => ({ label: r.key, description: `${r.name} on ${r.serverId} · ${formatBytes(r.byteSize)}`, record: r })), { title: 'Destroy which region (unregister and remove from /dev/shm)?' });
        record = pick?.record;
      }
      if (record === undefined) return undefined;
      await service.destroy(record);
      redrawSection(record.serverId);
      return record.key;
    },
    [SharedMemoryCommand.showStatus]: async (arg) => {
      const serverId = await serverArg(arg);
      if (serverId === undefined) return undefined;
      const rows = await service.regions(serverId);
      const doc = await vscode.workspace.openTextDocument({ language: 'json', content: `${JSON.stringify({ server: serverId, regions: rows }, null, 2)}\n` });
      await vscode.window.showTextDocument(doc, { preview: true });
      return rows;
    },
  };

  async function releaseCuda(serverId: string, name: string | undefined, any: boolean): Promise<void> {
    if (!any) return;
    for (const [k, a] of cudaRegions) {
      if (a.serverId !== serverId || (name !== undefined && k !== `${serverId}\u0000${name}`)) continue;
      cudaRegions.delete(k);
      await cuda.free(a.allocation).catch(() => undefined);
    }
  }

  const commands = {} as Record<SharedMemoryCommandId, (...args: unknown[]) => Promise<unknown>>;
  for (const id of commandIds(SharedMemoryCommand)) {
    const handler = handlers[id];
    commands[id] = async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        if (error instanceof TritonError && error.kind === 'cancelled') return undefined;
        log.warn(`${id}: ${reasonOf(error)}`);
        const pick = await vscode.window.showErrorMessage(reasonOf(error), 'Show Logs');
        if (pick === 'Show Logs') log.show();
        return undefined;
      }
    };
  }

  return {
    service,
    commands,
    cleanupRemovedServers: (ids) => {
      for (const id of ids) {
        void service.cleanupMine(id).then((report) => {
          if (report.removed.length > 0) log.info(`Server '${id}' was removed: destroyed its shared memory ${report.removed.join(', ')}`);
          for (const f of report.failures) log.warn(`Cleaning up shared memory of removed server '${id}': ${f}`);
        });
      }
    },
    offerCleanupOfLeftovers: () => offerCleanupOfLeftovers(service, ledger, log),
    cleanup: async () => {
      for (const [, a] of cudaRegions) await service.unregister(a.serverId, 'cuda').catch(() => undefined);
      const report = await service.cleanupMine();
      if (report.removed.length > 0) log.info(`Destroyed shared memory made in this window: ${report.removed.join(', ')}`);
      for (const f of report.failures) log.warn(`Cleaning up shared memory: ${f}`);
    },
  };
}

/** Regions recorded by a window whose process is gone are still in /dev/shm: offer to remove them. */
async function offerCleanupOfLeftovers(service: SharedMemoryService, ledger: RegionLedger, log: Logger): Promise<void> {
  const left = ledger.leftBehind();
  if (left.length === 0) return;
  const list = left.slice(0, 3).map((r) => `${r.key} (${r.name || 'not registered'} on ${r.serverId}, ${formatBytes(r.byteSize)})`).join(', ');
  const more = left.length > 3 ? ` and ${left.length - 3} more` : '';
  log.warn(`Shared memory left behind by a window that is no longer running: ${left.map((r) => r.key).join(', ')}`);
  const pick = await vscode.window.showWarningMessage(
    `${left.length === 1 ? 'A shared-memory region' : `${left.length} shared-memory regions`} created by a Triton Workbench window that is no longer running ${left.length === 1 ? 'is' : 'are'} still in /dev/shm: ${list}${more}.`,
    'Clean Up', 'Keep',
  );
  if (pick === 'Clean Up') {
    const report = await service.cleanup(left);
    if (report.failures.length > 0) void vscode.window.showErrorMessage(`Some regions could not be removed: ${report.failures.join('; ')}`);
    else void vscode.window.showInformationMessage(`Removed ${report.removed.join(', ')}.`);
  } else if (pick === 'Keep') {
    await ledger.remove(left.map((r) => r.key));
  }
}
