// A connection that fails after the server was reached: when a request may be sent again (the stale
// keep-alive race only) and how the loss is reported otherwise.
import type { Socket } from 'node:net';

/** Socket failures that end a connection the server had accepted. */
const LOSS_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

/**
 * Whether `error` ended a connection that had been established (a read, a write or the server
 * hanging up), rather than a failure to connect: the server was reached.
 */
export function isConnectionLoss(error: NodeJS.ErrnoException): boolean {
  return typeof error.code === 'string' && LOSS_CODES.has(error.code) && error.syscall !== 'connect';
}

export function lossDetail(error: NodeJS.ErrnoException): string {
  return error.code !== undefined && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message;
}

/** Handshake time per connection: a round trip on that path, measured once when it connects. */
const roundTrips = new WeakMap<Socket, number>();

export function noteConnectTime(socket: Socket, ms: number): void {
  roundTrips.set(socket, ms);
}

/**
 * A server that closed an idle kept-alive socket did so before our request reached it, so the
 * failure shows within about one round trip of sending. Later than this window, the server may
 * have read the request. The floor absorbs a busy client's delays (a starved event loop, a GC
 * pause); a server that crashes this soon after reading a small idempotent request may get it once
 * more, which is the price of not failing the benign race.
 */
const WINDOW_FLOOR_MS = 200;

/** Requests up to this size sit whole in the socket buffers at once, so "fully written" tells nothing. */
export const BUFFERED_REQUEST_BYTES = 64 * 1024;

export interface ReplayFacts {
  socket: Socket | null;
  /** Date.now() when the exchange started. */
  startedAt: number;
  bodyLength: number;
  /** Whether the last byte of the request had been handed to the socket when it failed. */
  fullyWritten: boolean;
}

/**
 * The stale keep-alive race, and nothing else: the server cannot have had the whole request. A big
 * request that failed before all of it was written never reached the server whole; a small one
 * (written at once) counts only when the failure came within the round-trip window. A request the
 * server may have read — a 64 MiB inference it received before dying — is never sent twice.
 */
export function isStaleSocketRace(facts: ReplayFacts): boolean {
  if (facts.bodyLength > BUFFERED_REQUEST_BYTES) return !facts.fullyWritten;
  const rtt = facts.socket === null ? undefined : roundTrips.get(facts.socket);
  return Date.now() - facts.startedAt <= WINDOW_FLOOR_MS + 2 * (rtt ?? 0);
}
