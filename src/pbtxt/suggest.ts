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
