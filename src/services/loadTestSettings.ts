// The load-test panel's form turned into the engine's plan and bounds, every figure checked with a
// message that names the field; and the form's starting values.
import { LOAD_TEST_LIMITS } from './loadTest';
import type { LoadPlan } from './loadTestTypes';
import type { LoadTestInit, LoadTestSettings } from '../shared/loadTestProtocol';

export const LOAD_TEST_PAGE_LIMITS: LoadTestInit['limits'] = {
  maxRequests: LOAD_TEST_LIMITS.maxRequests,
  maxSeconds: LOAD_TEST_LIMITS.maxDurationMs / 1000,
  maxConcurrency: LOAD_TEST_LIMITS.maxConcurrency,
  maxRate: LOAD_TEST_LIMITS.maxRate,
};

export function defaultSettings(protocol: 'http' | 'grpc'): LoadTestSettings {
  return { mode: 'concurrency', levels: [1, 2, 4, 8], stepSeconds: 5, rate: 100, durationSeconds: 10, protocol, maxRequests: 100_000, maxSeconds: 300 };
}

export interface PlannedRun {
  plan: LoadPlan;
  maxRequests: number;
  maxDurationMs: number;
}

/** The plan of the settings, or an Error saying which field is wrong. */
export function planFromSettings(s: LoadTestSettings): PlannedRun {
  const bad = (what: string): never => { throw new Error(what); };
  if (!Number.isInteger(s.maxRequests) || s.maxRequests < 1 || s.maxRequests > LOAD_TEST_LIMITS.maxRequests) bad(`Max requests must be a whole number from 1 to ${LOAD_TEST_LIMITS.maxRequests}`);
  if (!(s.maxSeconds > 0 && s.maxSeconds <= LOAD_TEST_PAGE_LIMITS.maxSeconds)) bad(`Max time must be above 0 and at most ${LOAD_TEST_PAGE_LIMITS.maxSeconds} s`);
  const bounds = { maxRequests: s.maxRequests, maxDurationMs: s.maxSeconds * 1000 };
  if (s.mode === 'concurrency') {
    if (s.levels.length === 0) bad('Concurrency levels: give at least one, e.g. 1,2,4,8');
    for (const c of s.levels) if (!Number.isInteger(c) || c < 1 || c > LOAD_TEST_LIMITS.maxConcurrency) bad(`Concurrency levels: ${c} is not a whole number from 1 to ${LOAD_TEST_LIMITS.maxConcurrency}`);
    if (!(s.stepSeconds > 0 && s.stepSeconds <= LOAD_TEST_PAGE_LIMITS.maxSeconds)) bad('Step duration must be above 0 s');
    return { plan: { mode: 'concurrency', levels: [...s.levels], stepMs: s.stepSeconds * 1000 }, ...bounds };
  }
  if (!(s.rate > 0 && s.rate <= LOAD_TEST_LIMITS.maxRate)) bad(`Rate must be above 0 and at most ${LOAD_TEST_LIMITS.maxRate} requests/s`);
  if (!(s.durationSeconds > 0 && s.durationSeconds <= LOAD_TEST_PAGE_LIMITS.maxSeconds)) bad('Duration must be above 0 s');
  return { plan: { mode: 'rate', requestsPerSecond: s.rate, durationMs: s.durationSeconds * 1000 }, ...bounds };
}
