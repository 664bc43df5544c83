// Which explorer nodes a catalog change makes stale: the server or model row itself, plus the
// Workspace Repository rows that show that model's state on the active server.
import type { CatalogChange } from './catalogTypes';
import type { ExplorerNode, ExplorerTree } from './explorerTree';

/** 'all' when the whole tree must be redrawn; otherwise the nodes already shown that changed. */
export function nodesToRedraw(change: CatalogChange, tree: ExplorerTree, activeServerId: string | undefined): ExplorerNode[] | 'all' {
  if (change.kind === 'servers') return 'all';
  const onActive = change.serverId === activeServerId;
  if (change.kind === 'server') {
    const node = tree.find(`server:${change.serverId}`);
    if (node === undefined) return 'all';
    return [node, ...(onActive ? tree.findAll((n) => n.kind === 'workspace-model') : [])];
  }
  // A model node that was never shown needs no redraw: its parent draws it fresh when expanded.
  const node = tree.find(`server:${change.serverId}/model:${change.model}`);
  const workspaceRows = onActive ? tree.findAll((n) => n.kind === 'workspace-model' && n.model === change.model) : [];
  return [...(node !== undefined ? [node] : []), ...workspaceRows];
}
