// Parsed-document cache (one parse per document version) and the lazily loaded config schema.
import * as vscode from 'vscode';
import type { ParsedDocument } from '../../pbtxt/ast';
import { isModelConfigFile } from '../../pbtxt/documentKind';
import { parse } from '../../pbtxt/parser';
import type * as SchemaModule from '../../pbtxt/schema';
import type { Schema } from '../../pbtxt/schema';

export const LANGUAGE_ID = 'pbtxt';
export const SELECTOR: vscode.DocumentSelector = { language: LANGUAGE_ID };

const parsed = new WeakMap<vscode.TextDocument, { version: number; doc: ParsedDocument }>();

export function parsedOf(document: vscode.TextDocument): ParsedDocument {
  const hit = parsed.get(document);
  if (hit !== undefined && hit.version === document.version) return hit.doc;
  const doc = parse(document.getText());
  parsed.set(document, { version: document.version, doc });
  return doc;
}

let schemaModule: typeof SchemaModule | undefined;

/** The ModelConfig schema, read from proto/ on first use: protobufjs is not loaded at activation. */
export function schema(): Schema {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  schemaModule ??= require('../../pbtxt/schema') as typeof SchemaModule;
  return schemaModule.loadSchema();
}

/** Model configs get schema help; other text protos get syntax help only. Untitled buffers count as configs. */
export function isModelConfig(document: vscode.TextDocument): boolean {
  if (document.uri.scheme === 'untitled') return true;
  return isModelConfigFile(document.uri.path, document.getText(new vscode.Range(0, 0, 40, 0)));
}
