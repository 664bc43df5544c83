// A checker for VS Code when-clause expressions: parses the grammar VS Code accepts and evaluates a
// parsed clause against a context, so manifest tests can say both "valid" and "shown where meant".

export type WhenNode =
  | { kind: 'const'; value: boolean }
  | { kind: 'key'; key: string }
  | { kind: 'not'; operand: WhenNode }
  | { kind: 'and' | 'or'; left: WhenNode; right: WhenNode }
  | { kind: 'compare'; key: string; op: '==' | '!=' | '<' | '<=' | '>' | '>='; value: string }
  | { kind: 'regex'; key: string; regex: RegExp }
  | { kind: 'in' | 'notIn'; key: string; container: string };

type Token = { type: 'op' | 'word' | 'string' | 'regex'; text: string; at: number };

const OPERATORS = ['===', '!==', '==', '!=', '=~', '&&', '||', '<=', '>=', '<', '>', '!', '(', ')'];

export class WhenClauseError extends Error {}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    if (c === '/' && previous?.type === 'op' && previous.text === '=~') {
      // A regex literal runs to the next unescaped slash, then takes its flags.
      let j = i + 1;
      while (j < source.length && source[j] !== '/') j += source[j] === '\\' ? 2 : 1;
      if (j >= source.length) throw new WhenClauseError(`unterminated regular expression at ${i}`);
      const flags = /^[a-z]*/i.exec(source.slice(j + 1))![0];
      tokens.push({ type: 'regex', text: source.slice(i, j + 1 + flags.length), at: i });
      i = j + 1 + flags.length;
      continue;
    }
    if (c === "'") {
      const end = source.indexOf("'", i + 1);
      if (end === -1) throw new WhenClauseError(`unterminated string at ${i}`);
      tokens.push({ type: 'string', text: source.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ type: 'op', text: op, at: i });
      i += op.length;
      continue;
    }
    const word = /^[^\s()!=<>&|']+/.exec(source.slice(i));
    if (word === null) throw new WhenClauseError(`unexpected '${c}' at ${i}`);
    tokens.push({ type: 'word', text: word[0], at: i });
    i += word[0].length;
  }
  return tokens;
}

/** Parses `source`, throwing WhenClauseError with the position of the first thing VS Code would reject. */
export function parseWhen(source: string): WhenNode {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const where = (): string => (peek() === undefined ? 'at the end' : `at ${peek()!.at} ('${peek()!.text}')`);
  const isOp = (text: string): boolean => peek()?.type === 'op' && peek()!.text === text;
  const value = (): string => {
    const t = peek();
    if (t === undefined || (t.type !== 'word' && t.type !== 'string')) throw new WhenClauseError(`expected a value ${where()}`);
    pos++;
    return t.text;
  };

  const primary = (): WhenNode => {
    if (isOp('(')) {
      pos++;
      const inner = or();
      if (!isOp(')')) throw new WhenClauseError(`expected ')' ${where()}`);
      pos++;
      return inner;
    }
    const t = peek();
    if (t === undefined || t.type !== 'word' || t.text === 'in' || t.text === 'not') throw new WhenClauseError(`expected a context key ${where()}`);
    pos++;
    if (t.text === 'true' || t.text === 'false') return { kind: 'const', value: t.text === 'true' };
    const key = t.text;
    const next = peek();
    if (next === undefined) return { kind: 'key', key };
    if (next.type === 'op') {
      const op = next.text === '===' ? '==' : next.text === '!==' ? '!=' : next.text;
      if (op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=') {
        pos++;
        return { kind: 'compare', key, op, value: value() };
      }
      if (op === '=~') {
        pos++;
        const r = peek();
        if (r?.type !== 'regex') throw new WhenClauseError(`expected /regex/ after =~ ${where()}`);
        pos++;
        const end = r.text.lastIndexOf('/');
        try {
          return { kind: 'regex', key, regex: new RegExp(r.text.slice(1, end), r.text.slice(end + 1)) };
        } catch (error) {
          throw new WhenClauseError(`regular expression ${r.text} does not compile: ${(error as Error).message}`);
        }
      }
      return { kind: 'key', key };
    }
    if (next.type === 'word' && next.text === 'in') {
      pos++;
      return { kind: 'in', key, container: value() };
    }
    if (next.type === 'word' && next.text === 'not') {
      pos++;
      if (peek()?.type !== 'word' || peek()!.text !== 'in') throw new WhenClauseError(`'not' must be followed by 'in' ${where()}`);
      pos++;
      return { kind: 'notIn', key, container: value() };
    }
    throw new WhenClauseError(`expected an operator, '&&', '||' or ')' ${where()}`);
  };
  const unary = (): WhenNode => {
    if (isOp('!')) {
      pos++;
      return { kind: 'not', operand: unary() };
    }
    return primary();
  };
  const and = (): WhenNode => {
    let left = unary();
    while (isOp('&&')) {
      pos++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const or = (): WhenNode => {
    let left = and();
    while (isOp('||')) {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };

  if (tokens.length === 0) throw new WhenClauseError('empty when-clause');
  const tree = or();
  if (pos < tokens.length) throw new WhenClauseError(`unexpected ${where()}`);
  return tree;
}

export type WhenContext = Record<string, string | number | boolean | readonly string[] | undefined>;

/** Evaluates a parsed clause the way VS Code does for plain values (no `in` over objects). */
export function evaluateWhen(node: WhenNode, ctx: WhenContext): boolean {
  switch (node.kind) {
    case 'const':
      return node.value;
    case 'key':
      return Boolean(ctx[node.key]);
    case 'not':
      return !evaluateWhen(node.operand, ctx);
    case 'and':
      return evaluateWhen(node.left, ctx) && evaluateWhen(node.right, ctx);
    case 'or':
      return evaluateWhen(node.left, ctx) || evaluateWhen(node.right, ctx);
    case 'regex': {
      const v = ctx[node.key];
      return v !== undefined && node.regex.test(String(v));
    }
    case 'in':
    case 'notIn': {
      const container = ctx[node.container];
      const found = Array.isArray(container) && container.includes(String(ctx[node.key]));
      return node.kind === 'in' ? found : !found;
    }
    case 'compare': {
      const v = ctx[node.key];
      if (node.op === '==') return String(v) === node.value;
      if (node.op === '!=') return String(v) !== node.value;
      const a = Number(v);
      const b = Number(node.value);
      return node.op === '<' ? a < b : node.op === '<=' ? a <= b : node.op === '>' ? a > b : a >= b;
    }
  }
}
