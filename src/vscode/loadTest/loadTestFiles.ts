// The load test's files: a run saved as JSON, a saved run read back to compare with the last one,
// and the perf_analyzer --input-data file written where the user says with the command copied.
import * as vscode from 'vscode';
import type { PerfAnalyzerExport } from '../../inference/exports/perfAnalyzerExport';
import { shellQuote } from '../../services/curlRequest';
import { compareLoadTests, parseSavedLoadTest, serializeLoadTest } from '../../services/loadTestRuns';
import type { SavedLoadTest, StepComparison } from '../../services/loadTestRuns';

/** A saved run is a few kilobytes; anything far larger is not one. */
const MAX_SAVED_RUN_BYTES = 16 * 1024 * 1024;

function inWorkspace(name: string): { defaultUri?: vscode.Uri } {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {};
}

function safeName(model: string): string {
  return model.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '') || 'model';
}

/** Asks where, writes the run; the path written, or undefined when the user cancelled. */
export async function saveRun(run: SavedLoadTest): Promise<string | undefined> {
  const uri = await vscode.window.showSaveDialog({
    saveLabel: 'Save run',
    filters: { 'Load test run': ['json'] },
    ...inWorkspace(`${safeName(run.model)}.loadtest.json`),
  });
  if (uri === undefined) return undefined;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(serializeLoadTest(run)));
  return uri.fsPath;
}

/** Asks for a saved run and compares the last run with it (the saved run is the base). */
export async function compareWithSavedRun(last: SavedLoadTest): Promise<{ label: string; rows: StepComparison[] } | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Compare', filters: { 'Load test run': ['json'] }, ...inWorkspace('') });
  const uri = picked?.[0];
  if (uri === undefined) return undefined;
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_SAVED_RUN_BYTES) throw new Error(`${uri.fsPath}: ${stat.size} bytes is too large for a saved load test`);
  const saved = parseSavedLoadTest(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), uri.fsPath);
  return { label: savedRunLabel(saved, vscode.workspace.asRelativePath(uri)), rows: compareLoadTests(saved.result, last.result) };
}

export function savedRunLabel(saved: SavedLoadTest, where: string): string {
  return `${where} (${saved.model}${saved.modelVersion ? ` v${saved.modelVersion}` : ''}, ${saved.protocol.toUpperCase()}, ${saved.savedAt})`;
}

/**
 * Asks where the --input-data JSON goes, writes it, and copies the command that runs perf_analyzer
 * on it from that folder. The data file's path, or undefined when the user cancelled.
 */
export async function copyPerfAnalyzerCommand(model: string, build: (dataFileName: string) => Promise<PerfAnalyzerExport>): Promise<string | undefined> {
  const uri = await vscode.window.showSaveDialog({
    saveLabel: 'Write input data',
    filters: { 'perf_analyzer input data': ['json'] },
    ...inWorkspace(`${safeName(model)}.input-data.json`),
  });
  if (uri === undefined) return undefined;
  const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  const exported = await build(name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(exported.data));
  const folder = vscode.Uri.joinPath(uri, '..').fsPath;
  await vscode.env.clipboard.writeText(`cd ${shellQuote(folder)} && ${exported.command}`);
  return uri.fsPath;
}
