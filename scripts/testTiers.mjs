// The tiers `npm test` runs, in order, and how the summary reads each tier's output.

/** Static checks first: a type or lint error is the cheapest failure to find. */
export const allTiers = ['static', 'unit', 'integration', 'extension', 'e2e'];

/**
 * Test counts from node:test's spec reporter ("ℹ pass 3") or the extension runner ("3 passed, 0
 * failed"). The static tier runs no tests: it has no counts, whatever tsc or eslint printed.
 */
export function counts(tier, output) {
  if (tier === 'static') return undefined;
  const nodePass = [...output.matchAll(/^ℹ pass (\d+)$/gm)].map((m) => Number(m[1]));
  const nodeFail = [...output.matchAll(/^ℹ fail (\d+)$/gm)].map((m) => Number(m[1]));
  if (nodePass.length > 0) return { passed: nodePass.at(-1), failed: nodeFail.at(-1) ?? 0 };
  const ext = [...output.matchAll(/^(\d+) passed, (\d+) failed/gm)].at(-1);
  if (ext) return { passed: Number(ext[1]), failed: Number(ext[2]) };
  return undefined;
}

/** What the summary says about a tier besides PASS/FAIL: its counts, or which static checks failed. */
export function outcome(tier, output, timedOut) {
  if (timedOut) return 'timed out';
  if (tier === 'static') return /^static checks: (.*)$/m.exec(output)?.[1] ?? 'no result line';
  const c = counts(tier, output);
  return c ? `${c.passed} passed, ${c.failed} failed` : 'no counts';
}
