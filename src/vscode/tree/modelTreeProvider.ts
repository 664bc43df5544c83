// Thin adapter from the explorer tree model to a VS Code TreeDataProvider; redraws exactly the node
// a catalog change names, and can print what the view shows (the explorer API's snapshot).
import * as vscode from 'vscode';
import type { ExplorerNode, ExplorerTree, NodeView } from '../../services/explorerTree';
import type { CatalogChange } from '../../services/catalogTypes';
import { RedrawBatcher } from '../../services/redrawBatch';
import { nodesToRedraw } from '../../services/treeRedraw';

export interface SnapshotNode {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon?: string;
  readonly contextValue?: string;
  readonly children?: SnapshotNode[];
}

const collapsible: Record<NodeView['collapsible'], vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

/** Redraw requests this close together reach the view as one event (see RedrawBatcher for why). */
const REDRAW_BATCH_MS = 30;

export class ModelTreeProvider implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | ExplorerNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly requested = new vscode.EventEmitter<string | undefined>();
  /** Fires at once for every redraw asked for (the id, or undefined for the whole tree), before batching. */
  readonly onDidRequestRedraw = this.requested.event;
  private readonly batcher = new RedrawBatcher<ExplorerNode>(REDRAW_BATCH_MS, (batch) => {
    this.changed.fire(batch === 'all' ? undefined : batch.length === 1 ? batch[0] : batch);
  });

  constructor(private readonly tree: ExplorerTree, private readonly activeServerId: () => string | undefined = () => undefined) {}

  /** Redraws the nodes a catalog change names (see nodesToRedraw), or the whole tree. */
  onCatalogChange(change: CatalogChange): void {
    const nodes = nodesToRedraw(change, this.tree, this.activeServerId());
    if (nodes === 'all') return this.schedule(undefined);
    for (const node of nodes) this.schedule(node);
  }

  refreshAll(): void {
    this.schedule(undefined);
  }

  redraw(node: ExplorerNode): void {
    this.schedule(node);
  }

  private schedule(node: ExplorerNode | undefined): void {
    this.requested.fire(node?.id);
    this.batcher.request(node);
  }

  async getChildren(element?: ExplorerNode): Promise<ExplorerNode[]> {
    try {
      return await this.tree.children(element);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return [this.tree.node({ id: `${element?.id ?? 'root'}/message:error`, kind: 'message', data: { text: `Cannot list: ${text}`, icon: { id: 'warning' }, flags: 'error' } })];
    }
  }

  getTreeItem(element: ExplorerNode): vscode.TreeItem {
    const view = this.tree.view(element);
    const item = new vscode.TreeItem(view.label, collapsible[view.collapsible]);
    item.id = element.id;
    if (view.description !== undefined) item.description = view.description;
    if (view.icon !== undefined) item.iconPath = new vscode.ThemeIcon(view.icon.id, view.icon.color !== undefined ? new vscode.ThemeColor(view.icon.color) : undefined);
    item.contextValue = view.contextValue;
    if (view.command !== undefined) item.command = { command: view.command.command, title: view.command.title, arguments: [...view.command.args] };
    return item;
  }

  /** Tooltips are filled on hover: a 1,000-model list then sends the workbench rows, not 1,000 markdown documents. */
  resolveTreeItem(item: vscode.TreeItem, element: ExplorerNode): vscode.TreeItem {
    const tooltip = this.tree.view(element).tooltip;
    if (tooltip !== undefined) item.tooltip = new vscode.MarkdownString(tooltip);
    return item;
  }

  /** What the view shows, read through getChildren/getTreeItem, expanding up to maxDepth levels. */
  async snapshot(maxDepth = 4): Promise<SnapshotNode[]> {
    const walk = async (element: ExplorerNode | undefined, depth: number): Promise<SnapshotNode[]> => {
      const kids = await this.getChildren(element);
      return Promise.all(kids.map(async (node) => {
        const item = this.resolveTreeItem(this.getTreeItem(node), node);
        const expandable = item.collapsibleState !== vscode.TreeItemCollapsibleState.None;
        const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
        const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
        return {
          id: node.id,
          kind: node.kind,
          label,
          ...(typeof item.description === 'string' ? { description: item.description } : {}),
          ...(tooltip !== undefined ? { tooltip } : {}),
          ...(item.iconPath instanceof vscode.ThemeIcon ? { icon: item.iconPath.id } : {}),
          ...(item.contextValue !== undefined ? { contextValue: item.contextValue } : {}),
          ...(expandable && depth < maxDepth ? { children: await walk(node, depth + 1) } : {}),
        };
      }));
    };
    return walk(undefined, 1);
  }

  dispose(): void {
    this.batcher.dispose();
    this.changed.dispose();
    this.requested.dispose();
  }
}
