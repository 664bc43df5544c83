// Explorer nodes for a server's live settings ("Server Settings": log and global trace settings, each
// row editable with a click) and for a server started from the editor (its state, with Stop).
import { LogsCommand } from './commandIds';
import type { ExplorerTree, NodeKind, NodeView } from './explorerTree';
import type { LogSettingKey, ServerSettingsSnapshot } from './liveSettings';
import { isEditableLogSetting, logSettingLabels, traceSettingKeys, traceValueText } from './liveSettings';
import type { LaunchState } from './serverLauncher';
import { markdownText } from './markdownText';

export interface SettingRowData {
  readonly scope: 'log' | 'trace';
  readonly key: string;
  readonly label: string;
  readonly value: string;
  readonly editable: boolean;
}

export interface SettingsNodeSources {
  /** Reads the server's settings now (each expand asks the server again). */
  read(serverId: string): Promise<ServerSettingsSnapshot>;
  /** Milliseconds left of a "verbose for a while" window, if one is open. */
  verboseRemaining(serverId: string): number | undefined;
  /** The server started from the editor under this name, if any. */
  launched(serverId: string): { readonly state: LaunchState; readonly pid?: number; readonly argv: readonly string[] } | undefined;
}

const traceLabels: Record<string, string> = { trace_level: 'Trace level', trace_rate: 'Trace rate', trace_count: 'Trace count', log_frequency: 'Trace log frequency', trace_file: 'Trace file', trace_mode: 'Trace mode' };

function logValue(key: LogSettingKey, value: unknown): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (key === 'log_file' && value === '') return '(console)';
  return String(value);
}

/** The rows under "Server Settings", from what the server answered. */
export function settingRows(snapshot: ServerSettingsSnapshot): { rows: SettingRowData[]; problems: string[] } {
  const rows: SettingRowData[] = [];
  const problems: string[] = [];
  if (snapshot.log !== undefined) {
    for (const key of Object.keys(logSettingLabels) as LogSettingKey[]) {
      rows.push({ scope: 'log', key, label: logSettingLabels[key], value: logValue(key, snapshot.log[key]), editable: isEditableLogSetting(key) });
    }
  } else problems.push(`Log settings unavailable: ${snapshot.logProblem ?? 'no answer'}`);
  if (snapshot.trace !== undefined) {
    const keys = [...traceSettingKeys, ...Object.keys(snapshot.trace).filter((k) => !(traceSettingKeys as readonly string[]).includes(k))];
    for (const key of keys) {
      if (!(key in snapshot.trace)) continue;
      rows.push({ scope: 'trace', key, label: traceLabels[key] ?? key, value: traceValueText(snapshot.trace[key]), editable: (traceSettingKeys as readonly string[]).includes(key) });
    }
  } else problems.push(`Trace settings unavailable: ${snapshot.traceProblem ?? 'no answer'}`);
  return { rows, problems };
}

function launchedView(serverId: string, sources: SettingsNodeSources): NodeView {
  const l = sources.launched(serverId);
  if (l === undefined) return { label: 'Not started here', contextValue: 'launched none', collapsible: 'none' };
  const s = l.state;
  const word = s.kind === 'exited' ? `exited (${s.signal !== null ? s.signal : `code ${s.code}`})` : s.kind;
  const icon = s.kind === 'running' ? { id: 'debug-start', color: 'testing.iconPassed' } : s.kind === 'exited' ? { id: s.expected ? 'debug-stop' : 'error', color: s.expected ? undefined : 'errorForeground' } : { id: 'loading~spin' };
  return {
    label: `Started here: ${word}`,
    description: l.pid !== undefined ? `pid ${l.pid}` : '',
    tooltip: `Command: ${markdownText(l.argv.join(' '))}`,
    icon: icon.color === undefined ? { id: icon.id } : { id: icon.id, color: icon.color },
    contextValue: `launched ${s.kind}`,
    collapsible: 'none',
    command: { command: LogsCommand.showServerLog, title: 'Show Server Log', args: [{ serverId }] },
  };
}

/** Registers the kinds and contributes them under every server node. */
export function registerServerSettingsNodes(tree: ExplorerTree, sources: SettingsNodeSources): { dispose(): void } {
  const settingsKind: NodeKind = {
    kind: 'server-settings',
    view: (node) => {
      const left = sources.verboseRemaining(node.serverId!);
      return {
        label: 'Server Settings',
        description: left !== undefined ? `verbose for ${Math.ceil(left / 1000)} s more` : 'log and trace',
        icon: { id: 'settings' },
        contextValue: `serverSettings${left !== undefined ? ' verbose' : ''}`,
        collapsible: 'collapsed',
      };
    },
    children: async (node, ctx) => {
      const snapshot = await sources.read(node.serverId!);
      const { rows, problems } = settingRows(snapshot);
      return [
        ...problems.map((text, i) => ctx.tree.node({ id: `${node.id}/message:problem${i}`, kind: 'message', serverId: node.serverId, data: { text, icon: { id: 'warning' } } })),
        ...rows.map((row) => ctx.tree.node({ id: `${node.id}/setting:${row.scope}.${row.key}`, kind: 'server-setting', serverId: node.serverId, data: row })),
      ];
    },
  };
  const rowKind: NodeKind = {
    kind: 'server-setting',
    view: (node) => {
      const d = node.data as SettingRowData;
      return {
        label: d.label,
        description: d.value,
        tooltip: `${d.scope === 'log' ? 'Log' : 'Global trace'} setting \`${d.key}\`: ${markdownText(d.value)}${d.editable ? '  \nClick to change it on the server.' : '  \nSet when the server starts; it cannot be changed at runtime.'}`,
        icon: { id: d.scope === 'log' ? 'output' : 'pulse' },
        contextValue: `serverSetting ${d.scope}${d.editable ? ' editable' : ''}`,
        collapsible: 'none',
        ...(d.editable ? { command: { command: LogsCommand.editServerSetting, title: 'Change Setting', args: [node] } } : {}),
      };
    },
  };
  const launchedKind: NodeKind = { kind: 'launched-server', view: (node) => launchedView(node.serverId!, sources) };
  const subs = [
    tree.registerKind(settingsKind),
    tree.registerKind(rowKind),
    tree.registerKind(launchedKind),
    tree.contribute({
      parentKind: 'server',
      order: -10,
      children: (parent, ctx) => (sources.launched(parent.serverId!) !== undefined ? [ctx.tree.node({ id: `${parent.id}/launched-server`, kind: 'launched-server', serverId: parent.serverId })] : []),
    }),
    tree.contribute({
      parentKind: 'server',
      order: 50,
      children: async (parent, ctx) => {
        let state = ctx.catalog.server(parent.serverId!);
        if (state?.health.state === 'unknown') {
          await ctx.refreshServer(parent.serverId!);
          state = ctx.catalog.server(parent.serverId!);
        }
        // Settings are read from the server: offer them only while it answers.
        if (state === undefined || state.health.state === 'unreachable' || state.health.state === 'unknown') return [];
        return [ctx.tree.node({ id: `${parent.id}/server-settings`, kind: 'server-settings', serverId: parent.serverId })];
      },
    }),
  ];
  return { dispose: () => subs.forEach((s) => s.dispose()) };
}
