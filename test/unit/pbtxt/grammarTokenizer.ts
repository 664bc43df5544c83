// Tokenizes text with the shipped TextMate grammar through the same engine VS Code uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

export interface Token {
  readonly text: string;
  readonly scopes: readonly string[];
  readonly line: number;
}

const root = join(__dirname, '..', '..', '..');
/** Scope → file under syntaxes/ ('' = the stand-in Markdown host below). */
const GRAMMAR_FILES: Record<string, string> = {
  'source.pbtxt': 'pbtxt.tmLanguage.json',
  'markdown.pbtxt.codeblock': 'pbtxt.markdown.tmLanguage.json',
  'text.html.markdown': '',
};
/** A host with the Markdown scope name and no rules of its own, for testing the code-block injection. */
const MARKDOWN_STANDIN = JSON.stringify({ scopeName: 'text.html.markdown', patterns: [] });

const grammars = new Map<string, Promise<textmate.IGrammar>>();
let registry: Promise<textmate.Registry> | undefined;

async function loadGrammar(scopeName: string): Promise<textmate.IGrammar> {
  registry ??= createRegistry();
  const grammar = await (await registry).loadGrammar(scopeName);
  if (grammar === null) throw new Error(`grammar ${scopeName} did not load`);
  return grammar;
}

async function createRegistry(): Promise<textmate.Registry> {
  const wasm = readFileSync(join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      const file = GRAMMAR_FILES[scopeName];
      if (file === undefined) return null;
      if (file === '') return textmate.parseRawGrammar(MARKDOWN_STANDIN, 'markdown.json');
      const path = join(root, 'syntaxes', file);
      return textmate.parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
    getInjections: (scopeName: string) => (scopeName === 'text.html.markdown' ? ['markdown.pbtxt.codeblock'] : undefined),
  });
  return registry;
}

export async function tokenize(text: string, scopeName = 'source.pbtxt'): Promise<Token[]> {
  let pending = grammars.get(scopeName);
  if (pending === undefined) grammars.set(scopeName, (pending = loadGrammar(scopeName)));
  const grammar = await pending;
  const tokens: Token[] = [];
  let state = textmate.INITIAL;
  text.split('\n').forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex);
      if (piece.trim() === '') continue;
      tokens.push({ text: piece, scopes: t.scopes, line: index });
    }
    state = result.ruleStack;
  });
  return tokens;
}

/** The innermost scope of the first token whose text is exactly `text` (after `skip` earlier matches). */
export function scopeOf(tokens: readonly Token[], text: string, skip = 0): string {
  const found = tokens.filter((t) => t.text === text)[skip];
  if (found === undefined) {
    throw new Error(`no token "${text}" in ${JSON.stringify(tokens.map((t) => t.text))}`);
  }
  return found.scopes[found.scopes.length - 1] ?? '';
}
