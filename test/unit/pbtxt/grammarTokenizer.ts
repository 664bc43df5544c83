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
let grammarPromise: Promise<textmate.IGrammar> | undefined;

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'source.pbtxt') return null;
      const path = join(root, 'syntaxes', 'pbtxt.tmLanguage.json');
      return textmate.parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
  });
  const grammar = await registry.loadGrammar('source.pbtxt');
  if (grammar === null) throw new Error('grammar source.pbtxt did not load');
  return grammar;
}

export async function tokenize(text: string): Promise<Token[]> {
  grammarPromise ??= loadGrammar();
  const grammar = await grammarPromise;
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
