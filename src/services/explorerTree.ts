// The explorer's tree as plain data: nodes interned by id, a registry of node kinds (how a node looks
// and what its children are) and contributors that add children under a kind without reshaping it.
import type { ModelCatalog } from './modelCatalog';
import type { WorkspaceRepository } from './workspaceRepository';

export interface ExplorerNode {
  /** Stable across refreshes so the view keeps expansion and selection. */
  readonly id: string;
  readonly kind: string;
  readonly serverId?: string;
  readonly model?: string;
  readonly version?: string;
  /** Kind-specific payload (a tensor's metadata, a message); replaced in place on refresh. */
  data?: unknown;
}

export interface IconRef {
  /** A codicon id, e.g. "pass-filled"; "loading~spin" spins. */
  readonly id: string;
  /** A theme color id, e.g. "testing.iconPassed". */
  readonly color?: string;
}

export interface NodeCommand {
  readonly command: string;
  readonly title: string;
  readonly args: readonly unknown[];
}

export interface NodeView {
  readonly label: string;
  readonly description?: string;
  /** Markdown. */
  readonly tooltip?: string;
  readonly icon?: IconRef;
  /** Space-separated flags read by menus `when` clauses, first word = kind, e.g. "model ready control". */
  readonly contextValue: string;
  readonly collapsible: 'none' | 'collapsed' | 'expanded';
  readonly command?: NodeCommand;
  /** A file the node stands for (a workspace config.pbtxt). */
  readonly resourcePath?: string;
}

export interface TreeContext {
  readonly catalog: ModelCatalog;
  readonly workspace: WorkspaceRepository;
  readonly tree: ExplorerTree;
  /** The server the status bar shows and commands default to. */
  activeServerId(): string | undefined;
  /** Refreshes a server through the refresh manager (so concurrent asks coalesce). */
  refreshServer(serverId: string): Promise<unknown>;
}

export type Children = ExplorerNode[] | Promise<ExplorerNode[]>;

export interface NodeKind {
  readonly kind: string;
  view(node: ExplorerNode, ctx: TreeContext): NodeView;
  children?(node: ExplorerNode, ctx: TreeContext): Children;
}

/** Adds children under every node of a kind (e.g. shared-memory regions under each server). */
export interface ChildContributor {
  readonly parentKind: string;
  /** Lower comes first; the kind's own children count as order 0. */
  readonly order: number;
  children(parent: ExplorerNode, ctx: TreeContext): Children;
}

export class ExplorerTree {
  private readonly kinds = new Map<string, NodeKind>();
  private readonly contributors: ChildContributor[] = [];
  private readonly nodes = new Map<string, ExplorerNode>();
  private readonly roots: ChildContributor[] = [];
  private context?: TreeContext;

  bind(context: Omit<TreeContext, 'tree'>): void {
    this.context = { ...context, tree: this };
  }

  registerKind(kind: NodeKind): { dispose(): void } {
    if (this.kinds.has(kind.kind)) throw new Error(`node kind '${kind.kind}' is already registered`);
    this.kinds.set(kind.kind, kind);
    return { dispose: () => this.kinds.delete(kind.kind) };
  }

  /** parentKind "root" adds top-level nodes. */
  contribute(contributor: ChildContributor): { dispose(): void } {
    const list = contributor.parentKind === 'root' ? this.roots : this.contributors;
    list.push(contributor);
    list.sort((a, b) => a.order - b.order);
    return {
      dispose: () => {
        const i = list.indexOf(contributor);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  /** Returns the one node object for this id, creating it once; data is refreshed in place. */
  node(spec: Omit<ExplorerNode, 'id'> & { id?: string }): ExplorerNode {
    const id = spec.id ?? nodeId(spec);
    const existing = this.nodes.get(id);
    if (existing !== undefined) {
      if (spec.data !== undefined) existing.data = spec.data;
      return existing;
    }
    const created: ExplorerNode = { ...spec, id };
    this.nodes.set(id, created);
    return created;
  }

  /** The node already handed out for an id, if any (to redraw exactly that node). */
  find(id: string): ExplorerNode | undefined {
    return this.nodes.get(id);
  }

  /** Every node already handed out that matches (e.g. the workspace rows of one model). */
  findAll(match: (node: ExplorerNode) => boolean): ExplorerNode[] {
    return [...this.nodes.values()].filter(match);
  }

  /** Forgets nodes below a prefix (a removed server) so the intern table does not grow forever. */
  forget(prefix: string): void {
    for (const id of [...this.nodes.keys()]) if (id === prefix || id.startsWith(`${prefix}/`)) this.nodes.delete(id);
  }

  async children(parent: ExplorerNode | undefined): Promise<ExplorerNode[]> {
    const ctx = this.requireContext();
    if (parent === undefined) {
      const lists = await Promise.all(this.roots.map((c) => c.children({ id: 'root', kind: 'root' }, ctx)));
      return lists.flat();
    }
    const kind = this.kinds.get(parent.kind);
    const contributed = this.contributors.filter((c) => c.parentKind === parent.kind);
    const own = kind?.children?.(parent, ctx) ?? [];
    const before = contributed.filter((c) => c.order < 0).map((c) => c.children(parent, ctx));
    const after = contributed.filter((c) => c.order >= 0).map((c) => c.children(parent, ctx));
    const lists = await Promise.all([...before, own, ...after]);
    return lists.flat();
  }

  view(node: ExplorerNode): NodeView {
    const ctx = this.requireContext();
    const kind = this.kinds.get(node.kind);
    if (kind === undefined) return { label: node.id, contextValue: node.kind, collapsible: 'none' };
    const view = kind.view(node, ctx);
    const expandable = this.contributors.some((c) => c.parentKind === node.kind);
    return expandable && view.collapsible === 'none' ? { ...view, collapsible: 'collapsed' } : view;
  }

  private requireContext(): TreeContext {
    if (this.context === undefined) throw new Error('the explorer tree is used before it is bound to its services');
    return this.context;
  }
}

/** Ids read like paths: server:<name>/model:<name>/version:<v>/<kind>[:<name>]. */
export function nodeId(spec: { kind: string; serverId?: string; model?: string; version?: string; data?: unknown }, leaf?: string): string {
  const parts: string[] = [];
  if (spec.serverId !== undefined) parts.push(`server:${spec.serverId}`);
  if (spec.model !== undefined) parts.push(`model:${spec.model}`);
  if (spec.version !== undefined) parts.push(`version:${spec.version}`);
  if (spec.kind !== 'server' && spec.kind !== 'model' && spec.kind !== 'version') parts.push(leaf === undefined ? spec.kind : `${spec.kind}:${leaf}`);
  return parts.join('/');
}
