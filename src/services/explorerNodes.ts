// The explorer's node kinds: servers, models, versions, tensors, config/statistics leaves, the
// workspace repository section, and message rows that explain an empty or failed level.
import type { ModelEntry, ModelStateName, ServerState } from './catalogTypes';
import type { ExplorerNode, ExplorerTree, IconRef, NodeKind, NodeView, TreeContext } from './explorerTree';
import { nodeId } from './explorerTree';
import { markdownText } from './markdownText';
import { healthWords } from './serverReadiness';
import type { TensorMetadata } from '../triton/types';

export interface MessageData {
  readonly text: string;
  readonly detail?: string;
  readonly icon: IconRef;
  /** Extra context flags, e.g. "unreachable" so the row can offer Show Logs. */
  readonly flags?: string;
}

const stateIcons: Record<ModelStateName, IconRef> = {
  READY: { id: 'pass-filled', color: 'testing.iconPassed' },
  UNAVAILABLE: { id: 'error', color: 'errorForeground' },
  LOADING: { id: 'loading~spin' },
  UNLOADING: { id: 'sync~spin' },
  UNKNOWN: { id: 'question' },
  NOT_LOADED: { id: 'circle-large-outline' },
};

const stateWords: Record<ModelStateName, string> = {
  READY: 'READY', UNAVAILABLE: 'UNAVAILABLE', LOADING: 'LOADING', UNLOADING: 'UNLOADING', UNKNOWN: 'UNKNOWN', NOT_LOADED: 'not loaded',
};

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

const md = markdownText;

/** A row that explains an empty or failed level under `parent`. */
export function message(ctx: TreeContext, parent: ExplorerNode, leaf: string, data: MessageData): ExplorerNode {
  return ctx.tree.node({ id: `${parent.id}/message:${leaf}`, kind: 'message', serverId: parent.serverId, model: parent.model, data });
}

function serverView(state: ServerState, active: boolean): NodeView {
  const h = state.health;
  const icon: IconRef =
    h.state === 'ready' ? { id: 'vm-running', color: 'testing.iconPassed' }
    : h.state === 'live' ? { id: 'vm-active', color: 'editorWarning.foreground' }
    : h.state === 'unreachable' ? { id: 'debug-disconnect', color: 'errorForeground' }
    : { id: 'vm-outline' };
  const description =
    h.state === 'unreachable' ? 'unreachable'
    : h.state === 'unknown' ? 'connecting…'
    : [h.version ?? '', h.state === 'live' ? healthWords(state) : ''].filter((s) => s !== '').join(' · ');
  const lines = [
    `**${md(state.config.name)}**${active ? ' (active)' : ''}`,
    '',
    `HTTP: ${md(state.config.httpUrl)}`,
    ...(state.config.grpcUrl !== undefined ? [`gRPC: ${md(state.config.grpcUrl)}`] : []),
    `Protocol: ${state.config.protocol}`,
    `Health: ${md(healthWords(state))}${h.version !== undefined ? ` — Triton ${md(h.version)}` : ''}`,
    ...(h.problem !== undefined ? [`Problem (${h.problem.kind}): ${md(h.problem.message)}`] : []),
    ...(state.control === 'forbidden' ? ['Model control: load/unload not allowed by this server'] : []),
    ...(h.extensions !== undefined && h.extensions.length > 0 ? ['', `Extensions: ${h.extensions.map(md).join(', ')}`] : []),
  ];
  const flags = ['server', h.state, active ? 'active' : '', state.control === 'forbidden' ? 'noControl' : 'control'].filter((f) => f !== '');
  return { label: state.config.name, description: active ? `${description} ●` : description, tooltip: lines.join('  \n'), icon, contextValue: flags.join(' '), collapsible: active ? 'expanded' : 'collapsed' };
}

function modelView(entry: ModelEntry | undefined, node: ExplorerNode, ctx: TreeContext): NodeView {
  const state = ctx.catalog.server(node.serverId!);
  const linked = ctx.workspace.find(node.model!);
  if (entry === undefined) {
    return { label: node.model!, description: 'no longer in the repository', icon: { id: 'warning' }, contextValue: 'model gone', collapsible: 'none' };
  }
  const readyVersions = entry.versions.filter((v) => v.state === 'READY').map((v) => v.version);
  // While the server is unreachable the list is the last one it gave; say so rather than pretend it is live.
  const stale = state?.health.state === 'unreachable';
  const description = [stateWords[entry.state], readyVersions.length > 0 ? `v${readyVersions.join(', v')}` : '', linked !== undefined ? '⇄ workspace' : '', stale ? 'last known' : ''].filter((s) => s !== '').join(' · ');
  const lines = [
    `**${md(entry.name)}** — ${stateWords[entry.state]}`,
    ...(entry.reason !== undefined ? ['', `Reason: ${md(entry.reason)}`] : []),
    ...(entry.versions.length > 0 ? ['', ...entry.versions.map((v) => `- version ${md(v.version)}: ${stateWords[v.state]}${v.reason !== undefined && v.state !== 'READY' ? ` — ${md(v.reason)}` : ''}`)] : []),
    ...(linked !== undefined ? ['', `Workspace folder: ${md(linked.displayPath)}`] : []),
    ...(stale ? ['', '_Last known state: the server is unreachable._'] : []),
  ];
  const flags = ['model', entry.state.toLowerCase(), state?.control === 'forbidden' ? 'noControl' : 'control', linked !== undefined ? 'linked' : ''].filter((f) => f !== '');
  const hasChildren = entry.state === 'READY' || entry.reason !== undefined || entry.versions.length > 0;
  return { label: entry.name, description, tooltip: lines.join('  \n'), icon: stateIcons[entry.state], contextValue: flags.join(' '), collapsible: hasChildren ? 'collapsed' : 'none', ...(linked !== undefined ? { resourcePath: linked.configPath } : {}) };
}

const serverKind: NodeKind = {
  kind: 'server',
  view: (node, ctx) => {
    const state = ctx.catalog.server(node.serverId!);
    if (state === undefined) return { label: node.serverId!, description: 'removed', contextValue: 'server removed', collapsible: 'none' };
    return serverView(state, ctx.activeServerId() === node.serverId);
  },
  children: async (node, ctx) => {
    let state = ctx.catalog.server(node.serverId!);
    if (state === undefined) return [];
    if (state.health.state === 'unknown') {
      await ctx.refreshServer(node.serverId!);
      state = ctx.catalog.server(node.serverId!);
      if (state === undefined) return [];
    }
    const out: ExplorerNode[] = [];
    const h = state.health;
    if (h.state === 'unreachable') {
      out.push(message(ctx, node, 'health', { text: `Unreachable: ${h.problem?.message ?? 'no answer'}`, detail: problemHint(h.problem?.kind), icon: { id: 'debug-disconnect', color: 'errorForeground' }, flags: 'unreachable' }));
    }
    if (state.control === 'forbidden') {
      out.push(message(ctx, node, 'control', { text: 'Load/unload disabled: the server does not run with --model-control-mode=explicit', icon: { id: 'lock' } }));
    }
    if (state.indexProblem !== undefined) {
      out.push(message(ctx, node, 'index', { text: `Cannot list models: ${state.indexProblem.message}`, detail: problemHint(state.indexProblem.kind), icon: { id: 'warning', color: 'editorWarning.foreground' } }));
    }
    if (state.models !== undefined) {
      if (state.models.size === 0 && h.state !== 'unreachable') out.push(message(ctx, node, 'empty', { text: 'The model repository is empty', icon: { id: 'info' } }));
      for (const name of state.models.keys()) out.push(ctx.tree.node({ kind: 'model', serverId: node.serverId, model: name }));
    }
    return out;
  },
};

function problemHint(kind: string | undefined): string | undefined {
  switch (kind) {
    case 'unauthenticated': return 'The server asks for credentials: add a token with "Triton: Set Server Token".';
    case 'permission-denied': return 'The server refused this request: a restricted API needs a header (see --http-restricted-api); add it as a secret header.';
    case 'tls': return 'TLS failed: check the CA file, or the https/http scheme of the URL.';
    case 'deadline': return 'The server did not answer in time.';
    case 'unavailable': return 'Check that Triton runs and listens at this URL (HTTP 8000, gRPC 8001 by default).';
    default: return undefined;
  }
}

const modelKind: NodeKind = {
  kind: 'model',
  view: (node, ctx) => modelView(ctx.catalog.model(node.serverId!, node.model!), node, ctx),
  children: (node, ctx) => {
    const entry = ctx.catalog.model(node.serverId!, node.model!);
    if (entry === undefined) return [];
    const out: ExplorerNode[] = [];
    if (entry.reason !== undefined && entry.state !== 'READY') {
      out.push(message(ctx, node, 'reason', { text: entry.reason, icon: stateIcons[entry.state] }));
    }
    for (const v of entry.versions) out.push(ctx.tree.node({ kind: 'version', serverId: node.serverId, model: node.model, version: v.version }));
    if (entry.state === 'READY') {
      out.push(ctx.tree.node({ id: nodeId({ ...node, kind: 'config' }), kind: 'config', serverId: node.serverId, model: node.model }));
      out.push(ctx.tree.node({ id: nodeId({ ...node, kind: 'statistics' }), kind: 'statistics', serverId: node.serverId, model: node.model }));
    }
    return out;
  },
};

const versionKind: NodeKind = {
  kind: 'version',
  view: (node, ctx) => {
    const v = ctx.catalog.model(node.serverId!, node.model!)?.versions.find((x) => x.version === node.version);
    const state = v?.state ?? 'UNKNOWN';
    return {
      label: `Version ${node.version!}`,
      description: stateWords[state],
      tooltip: v?.reason !== undefined ? `${stateWords[state]}: ${md(v.reason)}` : stateWords[state],
      icon: stateIcons[state],
      contextValue: `version ${state.toLowerCase()}`,
      collapsible: state === 'READY' ? 'collapsed' : 'none',
    };
  },
  children: async (node, ctx) => {
    const v = ctx.catalog.model(node.serverId!, node.model!)?.versions.find((x) => x.version === node.version);
    if (v?.state !== 'READY') return [];
    let meta;
    try {
      meta = await ctx.catalog.metadata(node.serverId!, node.model!, node.version);
    } catch (error) {
      return [message(ctx, node, 'metadata', { text: `Cannot read metadata: ${error instanceof Error ? error.message : String(error)}`, icon: { id: 'warning' } })];
    }
    const group = (which: 'inputs' | 'outputs', tensors: TensorMetadata[]): ExplorerNode =>
      ctx.tree.node({ id: `${node.id}/${which}`, kind: 'tensors', serverId: node.serverId, model: node.model, version: node.version, data: { which, tensors } });
    return [group('inputs', meta.inputs), group('outputs', meta.outputs)];
  },
};

interface TensorGroupData {
  readonly which: 'inputs' | 'outputs';
  readonly tensors: readonly TensorMetadata[];
}

const tensorsKind: NodeKind = {
  kind: 'tensors',
  view: (node) => {
    const d = node.data as TensorGroupData;
    return { label: d.which === 'inputs' ? 'Inputs' : 'Outputs', description: String(d.tensors.length), icon: { id: d.which === 'inputs' ? 'arrow-right' : 'arrow-left' }, contextValue: `tensors ${d.which}`, collapsible: 'collapsed' };
  },
  children: (node, ctx) => {
    const d = node.data as TensorGroupData;
    // A server can list one name twice; each row still needs its own id or the view rejects the level.
    const seen = new Map<string, number>();
    return d.tensors.map((t) => {
      const n = (seen.get(t.name) ?? 0) + 1;
      seen.set(t.name, n);
      return ctx.tree.node({ id: `${node.id}/tensor:${t.name}${n > 1 ? `#${n}` : ''}`, kind: 'tensor', serverId: node.serverId, model: node.model, version: node.version, data: t });
    });
  },
};

const tensorKind: NodeKind = {
  kind: 'tensor',
  view: (node) => {
    const t = node.data as TensorMetadata;
    return { label: t.name, description: `${t.datatype} ${formatShape(t.shape)}`, tooltip: `${md(t.name)}: ${md(t.datatype)} ${formatShape(t.shape)}${t.shape.includes(-1) ? '  \n-1 = variable size' : ''}`, icon: { id: 'symbol-field' }, contextValue: 'tensor', collapsible: 'none' };
  },
};

const configKind: NodeKind = {
  kind: 'config',
  view: (node) => ({ label: 'Config', description: 'config.pbtxt (server)', icon: { id: 'settings-gear' }, contextValue: 'config', collapsible: 'none', command: { command: 'triton.showServerConfig', title: 'Show Server Config', args: [node] } }),
};

const statisticsKind: NodeKind = {
  kind: 'statistics',
  view: (node) => ({ label: 'Statistics', icon: { id: 'graph' }, contextValue: 'statistics', collapsible: 'none', command: { command: 'triton.showStatistics', title: 'Show Statistics', args: [node] } }),
};

const messageKind: NodeKind = {
  kind: 'message',
  view: (node) => {
    const d = node.data as MessageData;
    return { label: d.text, tooltip: d.detail !== undefined ? `${md(d.text)}  \n\n${md(d.detail)}` : md(d.text), icon: d.icon, contextValue: `message ${d.flags ?? ''}`.trim(), collapsible: 'none', ...(d.detail !== undefined ? { description: d.detail } : {}) };
  },
};

export function workspaceModelId(configPath: string): string {
  return `workspace/model:${configPath}`;
}

const workspaceKind: NodeKind = {
  kind: 'workspace',
  view: (_node, ctx) => ({ label: 'Workspace Repository', description: `${ctx.workspace.all().length} model folder(s)`, icon: { id: 'folder-library' }, contextValue: 'workspace', collapsible: 'collapsed' }),
  // The config path is unique across the folders of a multi-root workspace; display paths need not be.
  children: (_node, ctx) => ctx.workspace.all().map((m) => ctx.tree.node({ id: workspaceModelId(m.configPath), kind: 'workspace-model', model: m.name, data: m })),
};

const workspaceModelKind: NodeKind = {
  kind: 'workspace-model',
  view: (node, ctx) => {
    const m = node.data as { name: string; displayPath: string; configPath: string };
    const active = ctx.activeServerId();
    const onServer = active !== undefined ? ctx.catalog.model(active, m.name) : undefined;
    return {
      label: m.name,
      description: onServer !== undefined ? `${m.displayPath} · ${stateWords[onServer.state]} on ${active}` : m.displayPath,
      tooltip: `${md(m.configPath)}${onServer !== undefined ? `  \nOn ${md(active!)}: ${stateWords[onServer.state]}` : ''}`,
      icon: { id: 'file-code' },
      contextValue: `workspaceModel${onServer !== undefined ? ' onServer' : ''}`,
      collapsible: 'none',
      resourcePath: m.configPath,
      command: { command: 'triton.openWorkspaceModel', title: 'Open config.pbtxt', args: [node] },
    };
  },
};

/** Registers the built-in kinds and the two top-level sections (servers, workspace repository). */
export function registerExplorerNodes(tree: ExplorerTree): void {
  for (const k of [serverKind, modelKind, versionKind, tensorsKind, tensorKind, configKind, statisticsKind, messageKind, workspaceKind, workspaceModelKind]) tree.registerKind(k);
  tree.contribute({ parentKind: 'root', order: 0, children: (_p, ctx) => ctx.catalog.serverIds().map((id) => ctx.tree.node({ kind: 'server', serverId: id })) });
  tree.contribute({
    parentKind: 'root',
    order: 100,
    children: (_p, ctx) => (ctx.workspace.all().length > 0 || ctx.catalog.serverIds().length > 0 ? [ctx.tree.node({ id: 'workspace', kind: 'workspace' })] : []),
  });
}
