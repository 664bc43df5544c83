// Every when-clause in the manifest must be one VS Code accepts: an invalid one is not an error in VS
// Code, it silently shows (or hides) the item everywhere.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { evaluateWhen, parseWhen, WhenClauseError } from './whenClause';

type MenuItem = { command?: string; submenu?: string; when?: string; group?: string };
const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  contributes: {
    menus?: Record<string, MenuItem[]>;
    keybindings?: { command: string; when?: string }[];
    views?: Record<string, { id: string; when?: string }[]>;
    viewsWelcome?: { view: string; when?: string }[];
    commands?: { command: string; enablement?: string }[];
  };
};

/** [where, clause] for every when-clause and enablement the manifest contributes. */
function allClauses(): [string, string][] {
  const c = manifest.contributes;
  const out: [string, string][] = [];
  for (const [menu, items] of Object.entries(c.menus ?? {})) {
    for (const [i, item] of items.entries()) if (item.when !== undefined) out.push([`menus.${menu}[${i}] ${item.command ?? item.submenu}`, item.when]);
  }
  for (const [i, k] of (c.keybindings ?? []).entries()) if (k.when !== undefined) out.push([`keybindings[${i}] ${k.command}`, k.when]);
  for (const [container, views] of Object.entries(c.views ?? {})) {
    for (const v of views) if (v.when !== undefined) out.push([`views.${container} ${v.id}`, v.when]);
  }
  for (const [i, w] of (c.viewsWelcome ?? []).entries()) if (w.when !== undefined) out.push([`viewsWelcome[${i}] ${w.view}`, w.when]);
  for (const cmd of c.commands ?? []) if (cmd.enablement !== undefined) out.push([`commands ${cmd.command} enablement`, cmd.enablement]);
  return out;
}

test('every when-clause in package.json parses and its regular expressions compile', () => {
  const clauses = allClauses();
  assert.ok(clauses.length >= 20, `found ${clauses.length} clauses; the walk over the manifest missed some`);
  const bad: string[] = [];
  for (const [where, clause] of clauses) {
    try {
      parseWhen(clause);
    } catch (error) {
      if (!(error instanceof WhenClauseError)) throw error;
      bad.push(`${where}: "${clause}": ${error.message}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the checker rejects what VS Code rejects', () => {
  for (const clause of [
    'viewItem not =~ /\\bactive\\b/',
    'view == ',
    'a && || b',
    '(a && b',
    'a b',
    'a =~ /[/',
    'a =~ /x/q',
    'a =~ "x"',
    'a not b',
    '',
  ]) {
    assert.throws(() => parseWhen(clause), WhenClauseError, clause);
  }
});

test('the checker accepts the operators VS Code documents', () => {
  for (const clause of [
    'view == triton.models && viewItem =~ /^server\\b/ && !(viewItem =~ /\\bactive\\b/)',
    "resourceFilename != 'config.pbtxt' || !editorReadonly",
    'a === b || a !== c',
    'workspaceFolderCount >= 1 && workspaceFolderCount < 3 && x <= 2 && y > 0',
    'resourceExtname in triton.extensions && resourceScheme not in triton.schemes',
    '!(a || b) && (c)',
    'true',
    'config.triton.refreshInterval == 0',
    'viewItem =~ /model/i',
  ]) {
    assert.doesNotThrow(() => parseWhen(clause), clause);
  }
});

/** Whether `command` shows in the tree item context menu for an item with `contextValue`. */
function inItemMenu(command: string, contextValue: string): boolean {
  const items = (manifest.contributes.menus?.['view/item/context'] ?? []).filter((m) => m.command === command && !(m.group ?? '').startsWith('inline'));
  return items.some((m) => evaluateWhen(parseWhen(m.when ?? 'true'), { view: 'triton.models', viewItem: contextValue }));
}

test('Switch Server shows only on servers that are not the active one', () => {
  assert.equal(inItemMenu('triton.switchServer', 'server live control'), true);
  assert.equal(inItemMenu('triton.switchServer', 'server live active control'), false);
  assert.equal(inItemMenu('triton.switchServer', 'model ready control'), false);
  assert.equal(inItemMenu('triton.switchServer', 'tensor'), false);
});

test('the editor context menu of a model config.pbtxt offers Load/Reload with that config, and only there', () => {
  const shown = (ctx: Record<string, string>): string[] => (manifest.contributes.menus?.['editor/context'] ?? [])
    .filter((m) => evaluateWhen(parseWhen(m.when ?? 'true'), ctx)).map((m) => m.command ?? '');
  const config = { editorLangId: 'pbtxt', resourceScheme: 'file', resourceFilename: 'config.pbtxt' };
  assert.ok(shown(config).includes('triton.loadModelWithLocalConfig'));
  assert.ok(shown(config).includes('triton.validateConfigOnServer'));
  assert.ok(!shown({ ...config, resourceFilename: 'labels.pbtxt' }).includes('triton.loadModelWithLocalConfig'));
  assert.ok(!shown({ ...config, resourceScheme: 'triton-config' }).includes('triton.loadModelWithLocalConfig'));
});

test('a config diff has a title button to the other form: raw from normalised, normalised from raw', () => {
  const buttons = (ctx: Record<string, string | boolean>): string[] => (manifest.contributes.menus?.['editor/title'] ?? [])
    .filter((m) => evaluateWhen(parseWhen(m.when ?? 'true'), ctx)).map((m) => m.command ?? '');
  const normalised = { isInDiffEditor: true, resourceScheme: 'triton-config', resourcePath: '/reference/simple/workspaceNormalized/simple (workspace) — config.pbtxt, normalised' };
  assert.deepEqual(buttons(normalised), ['triton.diffRawConfig']);
  assert.deepEqual(buttons({ isInDiffEditor: true, resourceScheme: 'file', resourceFilename: 'config.pbtxt', resourcePath: '/w/simple/config.pbtxt' }), ['triton.diffNormalizedConfig']);
  assert.deepEqual(buttons({ ...normalised, isInDiffEditor: false }), []);
  assert.deepEqual(buttons({ ...normalised, resourcePath: '/reference/simple/config/simple (server reference) — effective config' }), []);
});
