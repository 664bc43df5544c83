// State the explorer keeps per server: health, the model list from the repository index, and what
// the catalog needs from a Triton client.
import type { TritonErrorKind } from '../triton/errors';
import type { TritonClient } from '../triton/clientTypes';
import type { ServerConfig } from './serverConfig';

/** The slice of the Triton client the explorer uses; the full client satisfies it. */
export type CatalogClient = Pick<
  TritonClient,
  'isServerLive' | 'isServerReady' | 'serverMetadata' | 'repositoryIndex' | 'modelMetadata' | 'modelConfig' | 'modelStatistics' | 'loadModel' | 'unloadModel' | 'close'
>;

export type HealthState = 'unknown' | 'ready' | 'live' | 'unreachable';

export interface ServerProblem {
  readonly kind: TritonErrorKind | 'tls';
  readonly message: string;
}

export interface ServerHealth {
  readonly state: HealthState;
  readonly version?: string;
  readonly extensions?: readonly string[];
  /** Why the server is unreachable, or why a part of the refresh failed (index, metadata). */
  readonly problem?: ServerProblem;
  readonly checkedAt?: number;
}

/** Whether the server lets clients load and unload models (EXPLICIT model control mode). */
export type ModelControl = 'unknown' | 'explicit' | 'forbidden';

export type ModelStateName = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING' | 'UNKNOWN' | 'NOT_LOADED';

export interface VersionEntry {
  readonly version: string;
  readonly state: ModelStateName;
  readonly reason?: string;
}

export interface ModelEntry {
  readonly name: string;
  /** The state shown for the model: READY if any version is, else the most telling of the others. */
  readonly state: ModelStateName;
  readonly reason?: string;
  readonly versions: readonly VersionEntry[];
}

export interface ServerState {
  readonly id: string;
  readonly config: ServerConfig;
  readonly health: ServerHealth;
  readonly control: ModelControl;
  /** Undefined until the first index arrives; kept (stale) while the server is unreachable. */
  readonly models?: ReadonlyMap<string, ModelEntry>;
  readonly indexProblem?: ServerProblem;
}

export type CatalogChange =
  | { readonly kind: 'servers' }
  | { readonly kind: 'server'; readonly serverId: string }
  | { readonly kind: 'model'; readonly serverId: string; readonly model: string };
