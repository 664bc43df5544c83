// "Did you mean" suggestions: the closest candidate by edit distance, if close enough.

/** Optimal-string-alignment distance, stopping early once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** camelCase → snake_case, the mistake JSON habits produce in text format. */
export function toSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const snake = toSnake(word);
  let best: string | undefined;
  let bestScore = Number.MAX_SAFE_INTEGER;
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const c of candidates) {
    if (c.toLowerCase() === lower || c === snake) return c;
    const d = editDistance(lower, c.toLowerCase(), limit);
    // On a tie, a candidate that extends what was typed wins (TYPE_INT3 → TYPE_INT32, not TYPE_INT8).
    const score = d * 2 + (c.toLowerCase().startsWith(lower) ? 0 : 1);
    if (d <= limit && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

// Families of Triton data types under the spellings other frameworks use (FLOAT33 → FP, LONG → INT).
const TYPE_FAMILIES: readonly [RegExp, string][] = [
  [/^(FP|FLOAT|F|HALF|DOUBLE|REAL)$/, 'FP'], [/^(UINT|U|UNSIGNED|UNSIGNEDINT)$/, 'UINT'], [/^(INT|I|SINT|LONG|SHORT|INTEGER)$/, 'INT'],
  [/^(BF|BFLOAT|BRAIN)$/, 'BF'], [/^(STRING|STR|BYTES|TEXT|CHAR)$/, 'STRING'], [/^(BOOL|BOOLEAN|B|LOGICAL)$/, 'BOOL'],
];

/**
 * The valid data type nearest to a misspelt one: same family, closest bit width (TYPE_FLOAT33 →
 * TYPE_FP32), else the closest name by edit distance. Never TYPE_INVALID, which no tensor may use.
 */
export function nearestDataType(word: string, names: Iterable<string>): string | undefined {
  const valid = [...names].filter((n) => n.startsWith('TYPE_') && n !== 'TYPE_INVALID');
  if (valid.length === 0) return undefined;
  const m = /^(?:TYPE_?)?([A-Z]+?)_?(\d*)$/.exec(word.toUpperCase());
  const family = m === null ? undefined : TYPE_FAMILIES.find(([re]) => re.test(m[1]))?.[1];
  if (m !== null && family !== undefined) {
    const members = valid.filter((n) => new RegExp(`^TYPE_${family}\\d*$`).test(n));
    const bits = m[2] === '' ? 32 : Number(m[2]);
    const width = (n: string): number => Number(/\d+$/.exec(n)?.[0] ?? 32);
    const best = members.sort((a, b) => Math.abs(width(a) - bits) - Math.abs(width(b) - bits) || width(a) - width(b))[0];
    if (best !== undefined) return best;
  }
  const lower = word.toLowerCase();
  return valid.map((n) => [n, editDistance(lower, n.toLowerCase(), 64)] as const).sort((a, b) => a[1] - b[1])[0][0];
}
