// The load test's files: a run saved as JSON, a saved run read back to compare with the last one,
// and the perf_analyzer --input-data file written where the user says with the command copied.
import * as vscode from 'vscode';
import type { PerfAnalyzerExport } from '../../inference/exports/perfAnalyzerExport';
import { shellQuote } from '../../services/curlRequest';
import { compareLoadTests, parseSavedLoadTest, serializeLoadTest } from '../../services/loadTestRuns';
import type { SavedLoadTest } from '../../services/loadTestRuns';
import type { StepComparison } from '../../services/loadTestTypes';

/** A saved run is a few kilobytes; anything far larger is not one. */
const MAX_SAVED_RUN_BYTES = 16 * 1024 * 1024;

function inWorkspace(name: string): { defaultUri?: vscode.Uri } {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {};
}

function safeName(model: string): string {
  return model.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '') || 'model';
}

/** Where to save a run; undefined when the user cancelled. */
export async function askRunFile(model: string): Promise<vscode.Uri | undefined> {
  return vscode.window.showSaveDialog({ saveLabel: 'Save run', filters: { 'Load test run': ['json'] }, ...inWorkspace(`${safeName(model)}.loadtest.json`) });
}

/** A saved run to compare with; undefined when the user cancelled. */
export async function askSavedRun(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Compare', filters: { 'Load test run': ['json'] }, ...inWorkspace('') });
  return picked?.[0];
}

/** Where perf_analyzer's --input-data JSON goes; undefined when the user cancelled. */
export async function askInputDataFile(model: string): Promise<vscode.Uri | undefined> {
  return vscode.window.showSaveDialog({ saveLabel: 'Write input data', filters: { 'perf_analyzer input data': ['json'] }, ...inWorkspace(`${safeName(model)}.input-data.json`) });
}

export async function writeRun(uri: vscode.Uri, run: SavedLoadTest): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(serializeLoadTest(run)));
}

/** Reads a saved run and compares the last run with it (the saved run is the base). */
export async function compareWithRunFile(uri: vscode.Uri, last: SavedLoadTest): Promise<{ label: string; rows: StepComparison[] }> {
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_SAVED_RUN_BYTES) throw new Error(`${uri.fsPath}: ${stat.size} bytes is too large for a saved load test`);
  const saved = parseSavedLoadTest(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), uri.fsPath);
  return { label: savedRunLabel(saved, vscode.workspace.asRelativePath(uri)), rows: compareLoadTests(saved.result, last.result) };
}

export function savedRunLabel(saved: SavedLoadTest, where: string): string {
  return `${where} (${saved.model}${saved.modelVersion ? ` v${saved.modelVersion}` : ''}, ${saved.protocol.toUpperCase()}, ${saved.savedAt})`;
}

/**
 * Writes the --input-data JSON to `uri` and copies the command that runs perf_analyzer on it from
 * that folder; returns the command.
 */
export async function writePerfAnalyzerFiles(uri: vscode.Uri, build: (dataFileName: string) => Promise<PerfAnalyzerExport>): Promise<string> {
  const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  const exported = await build(name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(exported.data));
  const command = `cd ${shellQuote(vscode.Uri.joinPath(uri, '..').fsPath)} && ${exported.command}`;
  await vscode.env.clipboard.writeText(command);
  return command;
}
