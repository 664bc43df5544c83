// The ids of the commands whose handlers load on first use, each written once: the thin registrations
// that run at activation import them from here (this module imports nothing, so it pulls no feature
// into activation), as do the features' handlers and the tree items and links that run them.

export const InferenceCommand = {
  run: 'triton.runInference',
  openRequest: 'triton.openInferenceRequest',
  clearHistory: 'triton.clearInferenceHistory',
} as const;

export const LoadTestCommand = {
  loadTestModel: 'triton.loadTestModel',
} as const;

export const LogsCommand = {
  showServerLog: 'triton.showServerLog',
  showLogsForError: 'triton.showLogsForError',
  configureLogSource: 'triton.configureLogSource',
  startServer: 'triton.startServer',
  stopServer: 'triton.stopServer',
  editServerSetting: 'triton.editServerSetting',
  showServerSettings: 'triton.showServerSettings',
  editModelTraceSettings: 'triton.editModelTraceSettings',
  toggleVerbose: 'triton.toggleVerbose',
} as const;

export const SharedMemoryCommand = {
  createRegion: 'triton.shm.createRegion',
  registerExisting: 'triton.shm.registerExisting',
  registerCuda: 'triton.shm.registerCuda',
  createCudaRegion: 'triton.shm.createCudaRegion',
  unregister: 'triton.shm.unregister',
  unregisterAll: 'triton.shm.unregisterAll',
  destroy: 'triton.shm.destroy',
  showStatus: 'triton.shm.showStatus',
} as const;

type IdOf<T> = T[keyof T];
export type InferenceCommandId = IdOf<typeof InferenceCommand>;
export type LoadTestCommandId = IdOf<typeof LoadTestCommand>;
export type LogsCommandId = IdOf<typeof LogsCommand>;
export type SharedMemoryCommandId = IdOf<typeof SharedMemoryCommand>;

/** Every id of a group, for its registration. */
export function commandIds<T extends Readonly<Record<string, string>>>(group: T): IdOf<T>[] {
  return Object.values(group) as IdOf<T>[];
}
