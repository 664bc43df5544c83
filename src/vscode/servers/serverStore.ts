// The VS Code side of server settings and secrets: `triton.servers`, `triton.activeServer`,
// `triton.refreshInterval` from the configuration, tokens and secret headers from SecretStorage.
import * as vscode from 'vscode';
import { minPollIntervalSeconds } from '../../services/refreshManager';
import type { SecretStore, ServerSettings } from '../../services/serverConfig';

const section = 'triton';

export class VsCodeServerSettings implements ServerSettings {
  readServers(): unknown {
    const inspected = vscode.workspace.getConfiguration(section).inspect<unknown>('servers');
    // The manifest marks the setting restricted; this keeps an untrusted workspace's list out even if
    // VS Code were to hand it over.
    if (!vscode.workspace.isTrusted) return inspected?.globalValue ?? inspected?.defaultValue;
    return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue ?? inspected?.defaultValue;
  }

  async writeServers(entries: readonly unknown[]): Promise<void> {
    await vscode.workspace.getConfiguration(section).update('servers', entries, this.target('servers'));
  }

  activeServer(): string | undefined {
    const inspected = vscode.workspace.getConfiguration(section).inspect<string>('activeServer');
    const name = vscode.workspace.isTrusted ? vscode.workspace.getConfiguration(section).get<string>('activeServer') : inspected?.globalValue;
    return typeof name === 'string' && name !== '' ? name : undefined;
  }

  async setActiveServer(name: string): Promise<void> {
    // The choice lives beside the server list it picks from, unless it was already set elsewhere.
    const set = vscode.workspace.getConfiguration(section).inspect('activeServer');
    const placed = set?.workspaceFolderValue !== undefined || set?.workspaceValue !== undefined || set?.globalValue !== undefined;
    await vscode.workspace.getConfiguration(section).update('activeServer', name, this.target(placed ? 'activeServer' : 'servers'));
  }

  /** Clears `triton.activeServer` wherever it names `name`, a server that is no longer configured. */
  async forgetActiveServer(name: string): Promise<void> {
    const config = vscode.workspace.getConfiguration(section);
    const set = config.inspect<string>('activeServer');
    // The list is read without a resource (see readServers), so folder-level values play no part here.
    const targets: [string | undefined, vscode.ConfigurationTarget][] = [[set?.globalValue, vscode.ConfigurationTarget.Global]];
    if (vscode.workspace.isTrusted) targets.push([set?.workspaceValue, vscode.ConfigurationTarget.Workspace]);
    for (const [value, target] of targets) if (value === name) await config.update('activeServer', undefined, target);
  }

  refreshIntervalSeconds(): number {
    const v = vscode.workspace.getConfiguration(section).get<number>('refreshInterval');
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return 10;
    return v === 0 ? 0 : Math.max(v, minPollIntervalSeconds);
  }

  onDidChange(listener: (what: 'servers' | 'activeServer' | 'refreshInterval') => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      for (const key of ['servers', 'activeServer', 'refreshInterval'] as const) {
        if (e.affectsConfiguration(`${section}.${key}`)) listener(key);
      }
    });
  }

  /** Writes where the value already lives, so a workspace list is not shadowed by a user one. */
  private target(key: string): vscode.ConfigurationTarget {
    if (!vscode.workspace.isTrusted) return vscode.ConfigurationTarget.Global;
    const inspected = vscode.workspace.getConfiguration(section).inspect(key);
    if (inspected?.workspaceFolderValue !== undefined) return vscode.ConfigurationTarget.WorkspaceFolder;
    if (inspected?.workspaceValue !== undefined) return vscode.ConfigurationTarget.Workspace;
    return vscode.ConfigurationTarget.Global;
  }
}

export class VsCodeSecretStore implements SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}
  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.storage.get(key));
  }
  store(key: string, value: string): Promise<void> {
    return Promise.resolve(this.storage.store(key, value));
  }
  delete(key: string): Promise<void> {
    return Promise.resolve(this.storage.delete(key));
  }
  onDidChange(listener: (key: string) => void): vscode.Disposable {
    return this.storage.onDidChange((e) => listener(e.key));
  }
}
