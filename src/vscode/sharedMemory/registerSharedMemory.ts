// Registers shared memory at activation: its commands, the Shared Memory tree section, the record of
// regions this extension made (cleaned up when the window closes or their server is removed; those of
// a window that died are offered for cleanup). The commands and the region service
// (sharedMemoryFeature, in dist/sharedMemory.js) load the first time one of these needs them.
import type * as vscode from 'vscode';
import { commandIds, SharedMemoryCommand } from '../../services/commandIds';
import { RegionLedger } from '../../services/sharedMemory/regionLedger';
import type { SharedMemoryService } from '../../services/sharedMemory/regionService';
import { registerShmNodes } from '../../services/sharedMemory/shmNodes';
import type { ExplorerApi } from '../explorer/registerExplorer';
import { LazyFeature, registerLazyCommands } from '../lazyFeature';
import type { Logger } from '../log';
import type * as SharedMemoryModule from './sharedMemoryFeature';
import type { SharedMemoryFeature } from './sharedMemoryFeature';

const LEDGER_KEY = 'triton.sharedMemory.createdRegions';

export interface SharedMemoryApi {
  /** The region service (loads the feature when first read). */
  readonly service: SharedMemoryService;
  readonly ledger: RegionLedger;
  /** Unregisters and unlinks everything this window made (also run on deactivation). */
  cleanup(): Promise<void>;
}

export function registerSharedMemory(context: vscode.ExtensionContext, log: Logger, explorer: ExplorerApi): SharedMemoryApi {
  const { catalog, tree } = explorer;
  const subs = context.subscriptions;
  const ledger = new RegionLedger({ read: () => context.globalState.get(LEDGER_KEY), write: (records) => Promise.resolve(context.globalState.update(LEDGER_KEY, records)) });
  const feature = new LazyFeature<SharedMemoryFeature>('Shared Memory', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('./sharedMemoryFeature') as typeof SharedMemoryModule;
    return module.createSharedMemoryFeature({ context, log, explorer, ledger });
  });

  subs.push(registerShmNodes(tree, { regions: (id) => feature.get().service.regions(id) }));
  subs.push(...registerLazyCommands(commandIds(SharedMemoryCommand), feature, log));

  // A server removed from the settings takes the regions made for it along.
  subs.push(catalog.onDidChange((change) => {
    if (change.kind !== 'servers') return;
    const gone = new Set(ledger.mine().map((r) => r.serverId).filter((id) => !catalog.serverIds().includes(id)));
    if (gone.size > 0) feature.get().cleanupRemovedServers([...gone]);
  }));

  if (ledger.leftBehind().length > 0) {
    void Promise.resolve().then(() => feature.get().offerCleanupOfLeftovers()).catch((error: unknown) => log.error('Offering to clean up shared memory left behind failed', error));
  }

  return {
    get service() {
      return feature.get().service;
    },
    ledger,
    cleanup: async () => {
      // Regions can be recorded without the feature loaded (a run through shared memory records its own).
      if (feature.loaded === undefined && ledger.mine().length === 0) return;
      await feature.get().cleanup();
    },
  };
}
