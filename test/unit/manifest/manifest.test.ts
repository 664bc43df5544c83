import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// The manifest is the contract with VS Code: check the parts later features rely on.
const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  engines: { vscode: string };
  activationEvents?: string[];
  contributes: { commands: { command: string; category?: string }[]; viewsContainers: { activitybar: { id: string; icon: string }[] } };
};

test('manifest names the extension and pins the VS Code engine', () => {
  assert.equal(manifest.name, 'triton-workbench');
  assert.equal(manifest.engines.vscode, '^1.100.0');
});

test('no command activates on every event', () => {
  assert.ok(!(manifest.activationEvents ?? []).includes('*'));
});

test('every command is in the Triton category', () => {
  assert.ok(manifest.contributes.commands.length > 0);
  for (const c of manifest.contributes.commands) assert.equal(c.category, 'Triton', c.command);
});

test('server settings are restricted in untrusted workspaces, so a cloned repository cannot redirect a stored token', () => {
  const m = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    capabilities: { untrustedWorkspaces: { supported: unknown; restrictedConfigurations?: string[] } };
  };
  assert.equal(m.capabilities.untrustedWorkspaces.supported, 'limited');
  const restricted = m.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];
  for (const key of ['triton.servers', 'triton.activeServer']) assert.ok(restricted.includes(key), key);
});

test('triton.refreshInterval allows 0 (off) or at least one second', () => {
  const m = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { minimum?: number; anyOf?: { enum?: number[]; minimum?: number }[] }> }[] };
  };
  const setting = m.contributes.configuration.map((c) => c.properties['triton.refreshInterval']).find((p) => p !== undefined);
  assert.ok(setting, 'triton.refreshInterval is declared');
  const allows = (v: number): boolean => (setting.minimum === undefined || v >= setting.minimum) && (setting.anyOf ?? [{}]).some((alt) => (alt.enum === undefined || alt.enum.includes(v)) && (alt.minimum === undefined || v >= alt.minimum));
  assert.ok(allows(0) && allows(1) && allows(10));
  assert.ok(!allows(0.01) && !allows(0.5) && !allows(-1));
});

// The ids registered for features that load on first use are written once, in services/commandIds.ts:
// each must be a command the manifest declares (the extension tier checks the other way, that every
// declared command is registered at activation).
test('every command id of a feature loaded on first use is declared in the manifest', async () => {
  const ids = await import('../../../src/services/commandIds');
  const declared = new Set(manifest.contributes.commands.map((c) => c.command));
  const groups = [ids.InferenceCommand, ids.LoadTestCommand, ids.LogsCommand, ids.SharedMemoryCommand];
  const all = groups.flatMap((g) => ids.commandIds(g));
  assert.ok(all.length >= 21, `${all.length} ids`);
  assert.equal(new Set(all).size, all.length, 'an id is in two groups');
  assert.deepEqual(all.filter((id) => !declared.has(id)), [], 'registered but not declared');
});
