// Model folders found in the workspace (any folder holding a config.pbtxt), by model name.
import { basename, dirname, relative, sep } from 'node:path';

export interface WorkspaceModel {
  /** The folder name, which Triton uses as the model name. */
  readonly name: string;
  readonly folder: string;
  readonly configPath: string;
  /** Path shown to the user, relative to the workspace folder that holds it. */
  readonly displayPath: string;
}

export class WorkspaceRepository {
  private byName = new Map<string, WorkspaceModel[]>();
  private listeners = new Set<() => void>();

  /** Replaces the list from config.pbtxt paths; roots are the workspace folders (for display paths). */
  setConfigPaths(configPaths: readonly string[], roots: readonly string[]): void {
    const next = new Map<string, WorkspaceModel[]>();
    for (const configPath of [...configPaths].sort()) {
      if (basename(configPath) !== 'config.pbtxt') continue;
      const folder = dirname(configPath);
      const name = basename(folder);
      const root = roots.find((r) => folder === r || folder.startsWith(r.endsWith(sep) ? r : r + sep));
      const inRoot = root === undefined ? folder : relative(root, folder) || name;
      // With several workspace folders the same layout can repeat: say which folder a model is in.
      const displayPath = root !== undefined && roots.length > 1 ? `${basename(root)}${sep}${inRoot}` : inRoot;
      const list = next.get(name) ?? [];
      list.push({ name, folder, configPath, displayPath });
      next.set(name, list);
    }
    this.byName = next;
    for (const l of [...this.listeners]) l();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  all(): WorkspaceModel[] {
    return [...this.byName.values()].flat().sort((a, b) => a.name.localeCompare(b.name) || a.displayPath.localeCompare(b.displayPath));
  }

  /** The workspace folder of a server's model: the first folder with that name (shortest path wins). */
  find(name: string): WorkspaceModel | undefined {
    const list = this.byName.get(name);
    if (list === undefined) return undefined;
    return [...list].sort((a, b) => a.folder.length - b.folder.length)[0];
  }

  /** The model a file belongs to, when it is (or sits in) a model folder. */
  modelForPath(path: string): WorkspaceModel | undefined {
    for (const list of this.byName.values()) {
      for (const m of list) if (path === m.configPath || path.startsWith(m.folder + sep)) return m;
    }
    return undefined;
  }
}
