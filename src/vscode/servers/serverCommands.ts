// Add / Edit / Remove / Switch server and token commands, with validated input; secrets go to
// SecretStorage only and never reach settings or the log.
import * as vscode from 'vscode';
import type { ServerConfig, ServerProtocol } from '../../services/serverConfig';
import {
  parseServerSettings, readSecretHeaders, secretEndpointOf, secretKeyFor, validateGrpcTarget, validateHttpUrl,
  validateServerName, writeSecretHeaders,
} from '../../services/serverConfig';
import { iconSafeText } from '../../services/markdownText';
import type { ServerPatch } from '../../services/serverSettingsEdit';
import { appendServerSetting, removeServerSetting, updateServerSetting } from '../../services/serverSettingsEdit';
import type { ExplorerContext } from '../explorer/explorerContext';

type Handler = (ctx: ExplorerContext, ...args: unknown[]) => Promise<unknown>;

function currentServers(ctx: ExplorerContext): ServerConfig[] {
  return parseServerSettings(ctx.settings.readServers()).servers;
}

async function pickServer(ctx: ExplorerContext, arg: unknown, placeHolder: string): Promise<ServerConfig | undefined> {
  const servers = currentServers(ctx);
  const id = (arg as { serverId?: unknown } | undefined)?.serverId;
  if (typeof id === 'string') return servers.find((s) => s.name === id);
  const pick = await vscode.window.showQuickPick(servers.map((s) => ({ label: s.name, description: s.protocol === 'grpc' ? s.grpcUrl : s.httpUrl })), { placeHolder });
  return pick === undefined ? undefined : servers.find((s) => s.name === pick.label);
}

async function askHttpUrl(value: string): Promise<string | undefined> {
  return vscode.window.showInputBox({ title: 'Triton HTTP URL', prompt: 'Base URL of the HTTP/REST endpoint', value, validateInput: (v) => validateHttpUrl(v.trim()) ?? null });
}

async function askGrpcTarget(value: string): Promise<string | undefined> {
  return vscode.window.showInputBox({ title: 'Triton gRPC address', prompt: 'host:port of the gRPC endpoint (leave empty for none)', value, validateInput: (v) => (v.trim() === '' ? null : validateGrpcTarget(v.trim()) ?? null) });
}

async function askProtocol(hasGrpc: boolean, current: ServerProtocol): Promise<ServerProtocol | undefined> {
  if (!hasGrpc) return 'http';
  const items: (vscode.QuickPickItem & { value: ServerProtocol })[] = [
    { label: 'HTTP/REST', value: 'http', picked: current === 'http' },
    { label: 'gRPC', value: 'grpc', picked: current === 'grpc' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Preferred protocol' });
  return pick?.value;
}

async function askToken(serverName: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `Token for ${serverName}`,
    prompt: 'Sent as "Authorization: Bearer <token>"; kept in the OS secret store, never in settings. Leave empty to remove.',
    password: true,
    ignoreFocusOut: true,
  });
}

/** Writes an edit of the raw setting; false (with the reason shown) when it could not be written. */
async function save(ctx: ExplorerContext, edit: (raw: unknown) => unknown[]): Promise<boolean> {
  try {
    await ctx.settings.writeServers(edit(ctx.settings.readServers()));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.log.error('Saving triton.servers failed', error);
    void vscode.window.showErrorMessage(`Could not save triton.servers: ${reason}`);
    return false;
  }
  ctx.reloadServers();
  return true;
}

/**
 * Secrets belong to the address they were saved for. When the user changes the address through
 * Edit Server, they are asked whether the stored ones may go to the new one; otherwise they stay
 * withheld and the token has to be entered again.
 */
async function offerSecretsForNewAddress(ctx: ExplorerContext, before: ServerConfig, after: ServerConfig): Promise<void> {
  if (secretEndpointOf(before) === secretEndpointOf(after)) return;
  const headers = await readSecretHeaders(ctx.secrets, before);
  if (Object.keys(headers).length === 0) return;
  const send = 'Send to the new address';
  const pick = await vscode.window.showWarningMessage(
    `Server '${after.name}' now points at ${secretEndpointOf(after)}. Send its stored token and secret headers there? If not, they are not sent and you enter the token again.`,
    { modal: true }, send,
  );
  if (pick === send) await writeSecretHeaders(ctx.secrets, after, headers);
  ctx.catalog.resetClient(after.name);
}

export const serverHandlers: Record<string, Handler> = {
  'triton.addServer': async (ctx) => {
    const servers = currentServers(ctx);
    const taken = new Set(servers.map((s) => s.name));
    const name = await vscode.window.showInputBox({ title: 'Add Triton Server (1/4)', prompt: 'A name for this server', validateInput: (v) => validateServerName(v.trim(), taken) ?? null });
    if (name === undefined) return undefined;
    const httpUrl = await askHttpUrl('http://localhost:8000');
    if (httpUrl === undefined) return undefined;
    const grpc = await askGrpcTarget(`${new URL(httpUrl.trim()).hostname}:8001`);
    if (grpc === undefined) return undefined;
    const protocol = await askProtocol(grpc.trim() !== '', 'http');
    if (protocol === undefined) return undefined;
    const server: ServerConfig = { name: name.trim(), httpUrl: httpUrl.trim().replace(/\/+$/, ''), ...(grpc.trim() !== '' ? { grpcUrl: grpc.trim() } : {}), protocol };
    if (!(await save(ctx, (raw) => appendServerSetting(raw, server)))) return undefined;
    await ctx.setActiveServer(server.name);
    ctx.log.info(`Server '${server.name}' added (${server.protocol} ${server.protocol === 'grpc' ? server.grpcUrl : server.httpUrl})`);
    return server.name;
  },
  'triton.editServer': async (ctx, arg) => {
    const server = await pickServer(ctx, arg, 'Server to edit');
    if (server === undefined) return;
    const field = await vscode.window.showQuickPick(['Name', 'HTTP URL', 'gRPC address', 'Preferred protocol', 'Token', 'Secret header', 'TLS CA file'], { title: `Edit ${server.name}` });
    if (field === undefined) return;
    if (field === 'Name') {
      const taken = new Set(currentServers(ctx).map((s) => s.name).filter((n) => n !== server.name));
      const name = await vscode.window.showInputBox({ title: `Rename ${server.name}`, value: server.name, validateInput: (v) => validateServerName(v.trim(), taken) ?? null });
      if (name === undefined || name.trim() === server.name) return;
      const renamed = { ...server, name: name.trim() };
      const wasActive = ctx.activeServerId() === server.name;
      if (!(await save(ctx, (raw) => updateServerSetting(raw, server.name, { name: renamed.name })))) return;
      // Secrets live under the server's name: they move only once the new name is in settings, and
      // if the secret store fails the rename is undone so the token is not left under a name no server has.
      const headers = await readSecretHeaders(ctx.secrets, server);
      try {
        if (Object.keys(headers).length > 0) await writeSecretHeaders(ctx.secrets, renamed, headers);
      } catch (error) {
        await save(ctx, (raw) => updateServerSetting(raw, renamed.name, { name: server.name }));
        ctx.log.error(`Moving the secrets of '${server.name}' failed`, error);
        void vscode.window.showErrorMessage(`Server '${server.name}' was not renamed: its token could not be moved (${error instanceof Error ? error.message : String(error)}).`);
        return;
      }
      await ctx.secrets.delete(secretKeyFor(server.name));
      ctx.catalog.resetClient(renamed.name);
      if (wasActive) await ctx.setActiveServer(renamed.name);
      return;
    }
    let patch: ServerPatch;
    if (field === 'HTTP URL') {
      const v = await askHttpUrl(server.httpUrl);
      if (v === undefined) return;
      patch = { httpUrl: v.trim().replace(/\/+$/, '') };
    } else if (field === 'gRPC address') {
      const v = await askGrpcTarget(server.grpcUrl ?? '');
      if (v === undefined) return;
      patch = v.trim() === '' ? { grpcUrl: null, protocol: 'http' } : { grpcUrl: v.trim() };
    } else if (field === 'Preferred protocol') {
      const p = await askProtocol(server.grpcUrl !== undefined, server.protocol);
      if (p === undefined) return;
      patch = { protocol: p };
    } else if (field === 'TLS CA file') {
      const files = await vscode.window.showOpenDialog({ title: 'CA bundle (PEM)', canSelectMany: false, filters: { PEM: ['pem', 'crt', 'cer'] } });
      if (files === undefined || files.length === 0) return;
      patch = { tls: { caFile: files[0]!.fsPath } };
    } else {
      return vscode.commands.executeCommand(field === 'Token' ? 'triton.setServerToken' : 'triton.setSecretHeader', { serverId: server.name });
    }
    if (!(await save(ctx, (raw) => updateServerSetting(raw, server.name, patch)))) return;
    const next = currentServers(ctx).find((s) => s.name === server.name);
    if (next !== undefined) await offerSecretsForNewAddress(ctx, server, next);
  },
  'triton.removeServer': async (ctx, arg) => {
    const server = await pickServer(ctx, arg, 'Server to remove');
    if (server === undefined) return;
    const ok = await vscode.window.showWarningMessage(`Remove server '${server.name}' and its stored secrets?`, { modal: true }, 'Remove');
    if (ok !== 'Remove') return;
    if (!(await save(ctx, (raw) => removeServerSetting(raw, server.name)))) return;
    await ctx.secrets.delete(secretKeyFor(server.name));
  },
  'triton.switchServer': async (ctx, arg) => {
    const servers = currentServers(ctx);
    const direct = (arg as { serverId?: unknown } | undefined)?.serverId;
    if (typeof direct === 'string') return ctx.setActiveServer(direct);
    const items = servers.map((s) => {
      const h = ctx.catalog.server(s.name)?.health;
      return { label: s.name, description: `${h?.state ?? 'unknown'}${h?.version ? ` · ${iconSafeText(h.version)}` : ''}`, detail: s.protocol === 'grpc' ? s.grpcUrl : s.httpUrl };
    });
    const add = { label: '$(add) Add Server…', description: '', detail: undefined };
    const pick = await vscode.window.showQuickPick([...items, add], { title: 'Active Triton server', placeHolder: `Active: ${ctx.activeServerId() ?? 'none'}` });
    if (pick === undefined) return;
    if (pick === add) return vscode.commands.executeCommand('triton.addServer');
    await ctx.setActiveServer(pick.label);
  },
  'triton.setServerToken': async (ctx, arg) => {
    const server = await pickServer(ctx, arg, 'Server to set a token for');
    if (server === undefined) return;
    const token = await askToken(server.name);
    if (token === undefined) return;
    const headers = await readSecretHeaders(ctx.secrets, server);
    if (token.trim() === '') delete headers.Authorization;
    else headers.Authorization = `Bearer ${token.trim()}`;
    await writeSecretHeaders(ctx.secrets, server, headers);
    ctx.log.info(`Token of server '${server.name}' ${token.trim() === '' ? 'removed' : 'updated'}`);
    ctx.catalog.resetClient(server.name);
    await ctx.refresh.request(server.name, 'settings-changed');
  },
  'triton.setSecretHeader': async (ctx, arg) => {
    const server = await pickServer(ctx, arg, 'Server to add a secret header to');
    if (server === undefined) return;
    const name = await vscode.window.showInputBox({ title: 'Secret header name', prompt: 'e.g. admin-key for --http-restricted-api', validateInput: (v) => (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v.trim()) ? null : 'a header name is a token: letters, digits and - _ . etc.') });
    if (name === undefined) return;
    const value = await vscode.window.showInputBox({ title: `Value of ${name.trim()}`, prompt: 'Kept in the OS secret store. Leave empty to remove.', password: true, ignoreFocusOut: true });
    if (value === undefined) return;
    const headers = await readSecretHeaders(ctx.secrets, server);
    if (value === '') delete headers[name.trim()];
    else headers[name.trim()] = value;
    await writeSecretHeaders(ctx.secrets, server, headers);
    ctx.log.info(`Secret header '${name.trim()}' of server '${server.name}' ${value === '' ? 'removed' : 'updated'}`);
    ctx.catalog.resetClient(server.name);
    await ctx.refresh.request(server.name, 'settings-changed');
  },
};
