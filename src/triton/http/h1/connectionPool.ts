// Kept-alive HTTP/1.1 connections of one client: at most `maxSockets` open, calls beyond that wait in
// order. Each connection binds its socket listeners once and forwards to the call using it, so a
// request adds no listeners or closures of its own.
import net from 'node:net';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { TritonError } from '../../errors';
import { noteConnectTime } from '../connectionLoss';
import { HttpParseError, ResponseParser } from './responseParser';
import type { ResponseHeaders, ResponseListener } from './responseParser';

export interface PoolOptions {
  secure: boolean;
  hostname: string;
  port: number;
  maxSockets: number;
  /** 0 = no limit. */
  connectTimeoutMs: number;
  /** Inactivity limit while a call uses the connection; 0 = none. */
  idleTimeoutMs: number;
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; rejectUnauthorized: boolean };
}

/** A call as the pool and its connection see it. */
export interface ConnectionUser {
  /** The connection is this call's now: send the request. */
  onConnection(connection: Connection): void;
  onHead(status: number, headers: ResponseHeaders): void;
  onBody(chunk: Buffer): void;
  /** The whole answer arrived. The call gives the connection back with `release()` when it is done with it. */
  onComplete(): void;
  /** The socket failed or closed before the answer was complete, or the pool was closed. */
  onSocketError(error: NodeJS.ErrnoException | TritonError): void;
  /** The answer broke HTTP/1.1. */
  onParseError(error: HttpParseError): void;
  /** No traffic for idleTimeoutMs. */
  onSocketTimeout(): void;
}

/** A connection idle this close to the server's announced Keep-Alive timeout is closed rather than reused. */
const EXPIRY_MARGIN_MS = 1000;

/** What node:http reports when the server closes a connection before answering; kept for the same messages. */
function hangUp(): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error('socket hang up');
  error.code = 'ECONNRESET';
  return error;
}

export class Connection implements ResponseListener {
  readonly socket: Socket;
  private readonly parser: ResponseParser;
  user: ConnectionUser | undefined;
  /** Requests sent on it before the current one: a reused socket may meet the stale keep-alive race. */
  served = 0;
  /** The current answer arrived whole (socket events no longer concern its call). */
  private answered = false;
  private keepAlive = true;
  private dead = false;
  private connectTimer: NodeJS.Timeout | undefined;
  /** Date.now() when it went back to the pool. */
  idleSince = 0;

  constructor(private readonly pool: ConnectionPool, options: PoolOptions) {
    this.parser = new ResponseParser(this);
    const started = Date.now();
    if (options.secure) {
      const socket = tls.connect({
        host: options.hostname,
        port: options.port,
        servername: net.isIP(options.hostname) === 0 ? options.hostname : undefined,
        ca: options.tls?.ca,
        cert: options.tls?.cert,
        key: options.tls?.key,
        rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
        // The next connection resumes the last session instead of a full handshake, as node:https's agent does.
        session: pool.tlsSession,
      });
      socket.on('session', (session: Buffer) => { pool.tlsSession = session; });
      this.socket = socket;
    } else {
      this.socket = net.connect({ host: options.hostname, port: options.port });
    }
    this.socket.setNoDelay(true);
    // TCP keep-alive probes find a peer that vanished while the connection sat idle.
    this.socket.setKeepAlive(true, 1000);
    if (options.connectTimeoutMs > 0) {
      // Over TLS the connection is there once the handshake finished: a peer that accepts TCP and then
      // stays silent is as unreachable as one that never accepts.
      this.connectTimer = setTimeout(() => {
        const phase = options.secure && !this.socket.connecting ? ' (the TLS handshake did not finish)' : '';
        this.fail(new TritonError('unavailable', `no connection to ${options.hostname}:${options.port} within ${options.connectTimeoutMs} ms${phase}`));
      }, options.connectTimeoutMs);
      if (options.secure) this.socket.once('secureConnect', () => this.connected());
    }
    this.socket.once('connect', () => {
      if (!options.secure) this.connected();
      noteConnectTime(this.socket, Date.now() - started);
    });
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error));
    this.socket.on('close', () => this.fail(hangUp()));
    this.socket.on('timeout', () => {
      if (this.user !== undefined && !this.answered) this.user.onSocketTimeout();
    });
  }

  private connected(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  /** Hands the connection to a call. */
  attach(user: ConnectionUser, idleTimeoutMs: number): void {
    this.user = user;
    this.answered = false;
    this.keepAlive = true;
    this.socket.ref();
    if (this.socket.isPaused()) this.socket.resume();
    if (idleTimeoutMs > 0) this.socket.setTimeout(idleTimeoutMs);
    this.parser.expect();
    user.onConnection(this);
  }

  /** The call is done with the connection: it goes back to the pool, or is closed when it cannot be reused. */
  release(): void {
    this.user = undefined;
    this.served++;
    // A request still being written when its answer came (an early error answer to a big upload) would
    // leave the rest of its body ahead of the next request: such a connection is closed.
    // Bytes that came while reading was held back (a slow inflater pauses it) were never asked for: they
    // would be read as the next call's answer.
    if (this.dead || !this.answered || !this.keepAlive || this.socket.writableLength > 0 || this.socket.readableLength > 0) {
      this.destroy();
      return;
    }
    // Reading again, so a close or stray bytes while idle are noticed at once.
    if (this.socket.isPaused()) this.socket.resume();
    this.pool.reuse(this);
  }

  /** Closes the connection; its call (if any) is not told. */
  destroy(): void {
    this.user = undefined;
    if (this.dead) return;
    this.dead = true;
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.socket.destroy();
    this.pool.closed(this);
  }

  /** Open, with nothing unread in it. */
  get usable(): boolean {
    return !this.dead && !this.socket.destroyed && this.socket.readableLength === 0;
  }

  /** Whether the server announced how long it keeps an idle connection (Keep-Alive: timeout=N). */
  get announcesIdleLimit(): boolean {
    return this.parser.idleLimitMs !== undefined;
  }

  /**
   * Whether the server may be about to close it: idle for nearly the Keep-Alive timeout it announced.
   * Such a connection is not reused, which keeps the stale keep-alive race rare.
   */
  expired(now: number): boolean {
    const limit = this.parser.idleLimitMs;
    return limit !== undefined && now - this.idleSince >= limit - EXPIRY_MARGIN_MS;
  }

  /** Stops and restarts reading (backpressure from a slow consumer of the body). */
  pause(): void { this.socket.pause(); }
  resume(): void { this.socket.resume(); }

  onHead(status: number, headers: ResponseHeaders): void {
    this.user?.onHead(status, headers);
  }

  onBody(chunk: Buffer): void {
    this.user?.onBody(chunk);
  }

  onComplete(reusable: boolean): void {
    this.answered = true;
    this.keepAlive = reusable;
  }

  private onData(data: Buffer): void {
    if (this.user === undefined || this.answered) {
      // Bytes nobody asked for: the connection cannot be trusted with another request.
      this.destroy();
      return;
    }
    try {
      this.parser.execute(data);
    } catch (error) {
      if (!(error instanceof HttpParseError)) throw error;
      if (this.answered) {
        // Bytes after a whole answer: the answer stands, the connection is not trusted with another request.
        this.keepAlive = false;
      } else {
        const user = this.user;
        this.destroy();
        user?.onParseError(error);
        return;
      }
    }
    if (this.answered) this.user?.onComplete();
  }

  private onEnd(): void {
    if (this.user !== undefined && !this.answered && this.parser.closeDelimited) {
      this.parser.finish();
      this.keepAlive = false;
      this.user.onComplete();
      return;
    }
    this.fail(hangUp());
  }

  private fail(error: NodeJS.ErrnoException | TritonError): void {
    const user = this.answered ? undefined : this.user;
    this.destroy();
    user?.onSocketError(error);
  }
}

export class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: ConnectionUser[] = [];
  private closedForGood = false;
  /** The last TLS session a server gave, for resumption. */
  tlsSession: Buffer | undefined;

  constructor(private readonly options: PoolOptions) {}

  /** Gives `user` a connection now (a kept-alive one first) or as soon as one is free. */
  acquire(user: ConnectionUser): void {
    if (this.closedForGood) {
      user.onSocketError(new TritonError('cancelled', 'the client is closed'));
      return;
    }
    let now = 0;
    while (this.idle.length > 0) {
      const connection = this.idle.pop()!;
      if (connection.announcesIdleLimit && now === 0) now = Date.now();
      if (connection.usable && (now === 0 || !connection.expired(now))) {
        connection.attach(user, this.options.idleTimeoutMs);
        return;
      }
      connection.destroy();
    }
    if (this.all.size < this.options.maxSockets) {
      let connection: Connection;
      try {
        connection = this.open();
      } catch (error) {
        // tls.connect refuses unusable options (a key that does not match its certificate) at once.
        user.onSocketError(this.cannotOpen(error));
        return;
      }
      connection.attach(user, this.options.idleTimeoutMs);
      return;
    }
    this.waiting.push(user);
  }

  /** A waiting call gave up (deadline, abort) before it got a connection. */
  cancel(user: ConnectionUser): void {
    const at = this.waiting.indexOf(user);
    if (at !== -1) this.waiting.splice(at, 1);
  }

  /** Closes every connection; calls using one or waiting for one are told. */
  destroy(): void {
    this.closedForGood = true;
    const users: ConnectionUser[] = this.waiting.splice(0);
    for (const connection of [...this.all]) {
      if (connection.user !== undefined) users.push(connection.user);
      connection.destroy();
    }
    this.idle.length = 0;
    for (const user of users) user.onSocketError(new TritonError('cancelled', 'the client was closed'));
  }

  /** Open connections, kept-alive ones included. */
  get size(): number {
    return this.all.size;
  }

  /** @internal */
  reuse(connection: Connection): void {
    if (this.closedForGood || !connection.usable) {
      connection.destroy();
      return;
    }
    if (this.options.idleTimeoutMs > 0) connection.socket.setTimeout(0);
    const next = this.waiting.shift();
    if (next !== undefined) {
      connection.attach(next, this.options.idleTimeoutMs);
      return;
    }
    // An idle kept-alive socket does not keep the process alive.
    connection.socket.unref();
    if (connection.announcesIdleLimit) connection.idleSince = Date.now();
    this.idle.push(connection);
  }

  /** @internal */
  closed(connection: Connection): void {
    if (!this.all.delete(connection)) return;
    const at = this.idle.indexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
    // A freed slot goes to the longest-waiting call.
    if (!this.closedForGood && this.waiting.length > 0 && this.all.size < this.options.maxSockets) {
      this.acquire(this.waiting.shift()!);
    }
  }

  private cannotOpen(error: unknown): TritonError {
    const message = error instanceof Error ? error.message : String(error);
    // "error:05800074:x509 certificate routines::key values mismatch" → "key values mismatch (…)".
    const reason = /^error:[0-9A-Fa-f]+:([^:]*)::?(.+)$/.exec(message);
    const text = reason === null ? message : `${reason[2]} (${reason[1]})`;
    return new TritonError('invalid-argument', this.options.secure
      ? `the TLS options cannot be used: ${text}`
      : `cannot open a connection to ${this.options.hostname}:${this.options.port}: ${text}`, { cause: error });
  }

  private open(): Connection {
    const connection = new Connection(this, this.options);
    this.all.add(connection);
    return connection;
  }
}
