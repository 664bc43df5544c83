// The explorer's Shared Memory section under each server: the server's registered regions merged
// with those made by this extension, marked registered / created here / orphaned.
import type { ExplorerNode, ExplorerTree, IconRef, NodeView, TreeContext } from '../explorerTree';
import { message } from '../explorerNodes';
import { markdownText as md } from '../markdownText';
import { formatBytes } from './preflight';
import type { RegionRow } from './regionService';

export interface ShmSource {
  regions(serverId: string): Promise<RegionRow[]>;
}

function rowIcon(row: RegionRow): IconRef {
  if (row.orphaned) return { id: 'warning', color: 'editorWarning.foreground' };
  if (row.kind === 'cuda') return { id: 'circuit-board', color: row.createdHere ? 'testing.iconPassed' : undefined };
  return { id: 'database', color: row.createdHere ? 'testing.iconPassed' : undefined };
}

export function regionView(row: RegionRow): NodeView {
  const where = row.kind === 'cuda' ? `CUDA device ${row.deviceId ?? '?'}` : `${row.key ?? ''}${row.offset ? ` @ ${row.offset}` : ''}`;
  const marks = [row.registered ? 'registered' : 'not registered', row.createdHere ? 'created here' : '', row.orphaned === 'object-missing' ? 'object gone' : row.orphaned === 'not-registered' ? 'orphaned' : ''].filter((m) => m !== '');
  const lines = [
    `**${md(row.name)}** — ${row.kind === 'cuda' ? 'CUDA' : 'system'} shared memory`,
    '',
    ...(row.key !== undefined ? [`Key: ${md(row.key)}`] : []),
    ...(row.offset !== undefined ? [`Offset: ${row.offset}`] : []),
    `Size: ${row.byteSize} bytes (${formatBytes(row.byteSize)})`,
    ...(row.deviceId !== undefined ? [`Device: ${row.deviceId}`] : []),
    `State: ${marks.join(', ')}`,
    ...(row.orphaned === 'not-registered' ? ['', 'Created by this extension but no longer registered: Destroy removes it from /dev/shm.'] : []),
    ...(row.orphaned === 'object-missing' ? ['', 'Registered, but its object is gone from /dev/shm: the server reads memory no one writes. Unregister it.'] : []),
  ];
  const flags = ['shmRegion', row.kind, row.registered ? 'registered' : '', row.createdHere ? 'createdHere' : '', row.orphaned ? 'orphaned' : ''].filter((f) => f !== '');
  return { label: row.name, description: `${where} · ${formatBytes(row.byteSize)} · ${marks.join(', ')}`, tooltip: lines.join('  \n'), icon: rowIcon(row), contextValue: flags.join(' '), collapsible: 'none' };
}

export function registerShmNodes(tree: ExplorerTree, source: ShmSource): { dispose(): void } {
  const section = tree.registerKind({
    kind: 'shm',
    view: (): NodeView => ({ label: 'Shared Memory', icon: { id: 'layers' }, contextValue: 'shm', collapsible: 'collapsed', tooltip: 'System and CUDA shared-memory regions registered on this server, and those this extension created' }),
    children: async (node: ExplorerNode, ctx: TreeContext): Promise<ExplorerNode[]> => {
      const row = (leaf: string, text: string, icon: IconRef): ExplorerNode[] => [message(ctx, node, leaf, { text, icon })];
      const state = ctx.catalog.server(node.serverId!);
      if (state?.health.state === 'unreachable') return row('unreachable', 'Server unreachable', { id: 'debug-disconnect' });
      let rows: RegionRow[];
      try {
        rows = await source.regions(node.serverId!);
      } catch (error) {
        return row('error', `Cannot list regions: ${error instanceof Error ? error.message : String(error)}`, { id: 'warning', color: 'editorWarning.foreground' });
      }
      if (rows.length === 0) return row('empty', 'No regions registered', { id: 'info' });
      return rows.map((r) => ctx.tree.node({ id: `${node.id}/region:${r.kind}:${r.name}`, kind: 'shm-region', serverId: node.serverId, data: r }));
    },
  });
  const region = tree.registerKind({ kind: 'shm-region', view: (node) => regionView(node.data as RegionRow) });
  const contributor = tree.contribute({ parentKind: 'server', order: 20, children: (parent, ctx) => [ctx.tree.node({ id: `${parent.id}/shm`, kind: 'shm', serverId: parent.serverId })] });
  return {
    dispose: () => {
      section.dispose();
      region.dispose();
      contributor.dispose();
    },
  };
}
