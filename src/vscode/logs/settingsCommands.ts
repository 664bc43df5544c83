// Live log and trace settings from the tree ("Server Settings" rows) and the palette, and the
// "Verbose for 60 s" toggle.
import * as vscode from 'vscode';
import type { ExplorerNode } from '../../services/explorerTree';
import type { LogSettingKey, TraceSettingKey } from '../../services/liveSettings';
import { logSettingUpdate, readServerSettings, traceSettingKeys, traceSettingUpdate, traceValueText } from '../../services/liveSettings';
import type { SettingRowData } from '../../services/serverSettingsNodes';
import { settingRows } from '../../services/serverSettingsNodes';
import type { LogsContext } from './logsContext';

export const verboseSeconds = 60;

/** The server a command is about: a clicked node's, an explicit { serverId }, else a pick. */
export async function resolveServer(ctx: LogsContext, arg: unknown, title: string): Promise<string | undefined> {
  const id = (arg as { serverId?: unknown } | undefined)?.serverId;
  if (typeof id === 'string' && id !== '') return id;
  const ids = ctx.catalog.serverIds();
  if (ids.length === 0) throw new Error('no Triton server is configured; add one first');
  if (ids.length === 1) return ids[0];
  const active = ctx.activeServerId();
  const pick = await vscode.window.showQuickPick(ids.map((i) => ({ label: i, description: i === active ? 'active' : '' })), { title });
  return pick?.label;
}

async function askValue(row: SettingRowData, perModel: string | undefined): Promise<string | undefined> {
  if (row.scope === 'log' && ['log_info', 'log_warning', 'log_error'].includes(row.key)) {
    const pick = await vscode.window.showQuickPick([{ label: 'on', value: 'true' }, { label: 'off', value: 'false' }], { title: `${row.label} (now ${row.value})` });
    return pick?.value;
  }
  if (row.scope === 'log' && row.key === 'log_format') {
    const pick = await vscode.window.showQuickPick(['default', 'ISO8601'], { title: `Log line format (now ${row.value})` });
    return pick;
  }
  return vscode.window.showInputBox({
    title: `${row.label}${perModel !== undefined ? ` for model '${perModel}'` : ''}`,
    value: row.value.startsWith('(') ? '' : row.value,
    prompt: row.scope === 'trace'
      ? `${row.key === 'trace_level' ? 'OFF, or TIMESTAMPS and/or TENSORS' : row.key === 'trace_count' ? '-1 (no limit) or a count' : 'a whole number'}${perModel !== undefined ? '; empty = use the global value' : ''}`
      : 'verbose level: 0 = off, 1 = request logs, 2 = more',
    validateInput: (v) => {
      try {
        if (row.scope === 'log') logSettingUpdate(row.key as LogSettingKey, v);
        else traceSettingUpdate(row.key as TraceSettingKey, v, perModel !== undefined);
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  });
}

async function applyRow(ctx: LogsContext, serverId: string, row: SettingRowData, model?: string): Promise<void> {
  const value = await askValue(row, model);
  if (value === undefined) return;
  const client = await ctx.settingsClient(serverId);
  if (row.scope === 'log') {
    const after = await client.updateLogSettings(logSettingUpdate(row.key as LogSettingKey, value));
    void vscode.window.setStatusBarMessage(`${serverId}: ${row.label} is now ${String(after[row.key as LogSettingKey])}`, 4000);
  } else {
    const after = await client.updateTraceSettings(traceSettingUpdate(row.key as TraceSettingKey, value, model !== undefined), model);
    void vscode.window.setStatusBarMessage(`${serverId}${model !== undefined ? ` / ${model}` : ''}: ${row.label} is now ${traceValueText(after[row.key])}`, 4000);
  }
  ctx.redrawSettings(serverId);
}

/** A click on a "Server Settings" row. */
export async function editServerSetting(ctx: LogsContext, arg: unknown): Promise<void> {
  const node = arg as ExplorerNode | undefined;
  const row = node?.data as SettingRowData | undefined;
  if (node?.serverId === undefined || row === undefined || typeof row.key !== 'string') return showServerSettings(ctx, arg);
  await applyRow(ctx, node.serverId, row);
}

/** Palette: every setting of a server in one pick, then its new value. */
export async function showServerSettings(ctx: LogsContext, arg: unknown): Promise<void> {
  const serverId = await resolveServer(ctx, arg, 'Server settings of which server?');
  if (serverId === undefined) return;
  const client = await ctx.settingsClient(serverId);
  const { rows, problems } = settingRows(await readServerSettings(client));
  for (const p of problems) ctx.log.warn(`${serverId}: ${p}`);
  const items: (vscode.QuickPickItem & { row?: SettingRowData })[] = rows.map((row) => ({ label: row.label, description: row.value, detail: row.editable ? undefined : 'set at server start; read-only', row: row.editable ? row : undefined }));
  const left = ctx.verbose.remaining(serverId);
  items.unshift({ label: left !== undefined ? '$(debug-stop) Restore the verbose level now' : `$(megaphone) Verbose for ${verboseSeconds} s`, description: left !== undefined ? `${Math.ceil(left / 1000)} s left` : 'then back to the current level' });
  const pick = await vscode.window.showQuickPick(items, { title: `Live settings of ${serverId}`, placeHolder: problems.join('; ') || 'Pick a setting to change it on the server' });
  if (pick === undefined) return;
  if (pick.row === undefined) {
    if (pick === items[0]) await toggleVerbose(ctx, { serverId });
    return;
  }
  await applyRow(ctx, serverId, pick.row);
}

/** Trace settings of one model (falling back to the global ones where unset). */
export async function editModelTraceSettings(ctx: LogsContext, arg: unknown): Promise<void> {
  const node = arg as Partial<ExplorerNode> | undefined;
  const serverId = await resolveServer(ctx, arg, 'Trace settings on which server?');
  if (serverId === undefined) return;
  let model = typeof node?.model === 'string' ? node.model : undefined;
  if (model === undefined) {
    const names = [...(ctx.catalog.server(serverId)?.models?.values() ?? [])].filter((m) => m.state === 'READY').map((m) => m.name);
    model = await vscode.window.showQuickPick(names, { title: `Trace settings of which model on ${serverId}?`, placeHolder: names.length === 0 ? 'no ready models' : undefined });
    if (model === undefined) return;
  }
  const client = await ctx.settingsClient(serverId);
  const current = await client.getTraceSettings(model);
  const pick = await vscode.window.showQuickPick(traceSettingKeys.map((key) => ({ label: key, description: traceValueText(current[key]) })), { title: `Trace settings of '${model}' on ${serverId}` });
  if (pick === undefined) return;
  await applyRow(ctx, serverId, { scope: 'trace', key: pick.label, label: pick.label, value: traceValueText(current[pick.label]), editable: true }, model);
}

/** Verbose for 60 s, or restore now when a window is open. */
export async function toggleVerbose(ctx: LogsContext, arg: unknown): Promise<void> {
  const serverId = await resolveServer(ctx, arg, 'Verbose logging on which server?');
  if (serverId === undefined) return;
  const client = await ctx.settingsClient(serverId);
  if (ctx.verbose.remaining(serverId) !== undefined) {
    await ctx.verbose.restore(serverId, client);
    void vscode.window.setStatusBarMessage(`${serverId}: verbose level restored`, 4000);
  } else {
    const { previous } = await ctx.verbose.start(serverId, client, verboseSeconds * 1000);
    void vscode.window.setStatusBarMessage(`${serverId}: verbose logging for ${verboseSeconds} s, then back to level ${previous}`, 4000);
  }
  ctx.redrawSettings(serverId);
}
