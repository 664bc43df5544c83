// TritonError: the one error type every Triton client call rejects with, whatever the transport.

export type TritonErrorKind =
  | 'unavailable'
  | 'not-found'
  | 'invalid-argument'
  | 'deadline'
  | 'cancelled'
  | 'protocol'
  | 'server'
  | 'unauthenticated'
  | 'permission-denied'
  | 'unsupported';

export interface TritonErrorDetails {
  /** HTTP status of the answer that carried the error. */
  status?: number;
  /** gRPC status code of the call that failed. */
  grpcCode?: number;
  /** The server's own message, verbatim (HTTP `{"error": ...}` or gRPC details). */
  serverMessage?: string;
  /** What was asked, e.g. "POST /v2/models/simple/infer" or "ModelInfer simple". */
  request?: string;
  cause?: unknown;
}

export class TritonError extends Error {
  override readonly name = 'TritonError';
  readonly kind: TritonErrorKind;
  readonly status?: number;
  readonly grpcCode?: number;
  readonly serverMessage?: string;
  readonly request?: string;

  /** `message` is what went wrong; the request is prefixed so logs say where it happened. */
  constructor(kind: TritonErrorKind, message: string, details: TritonErrorDetails = {}) {
    super(details.request ? `${details.request}: ${message}` : message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    if (details.status !== undefined) this.status = details.status;
    if (details.grpcCode !== undefined) this.grpcCode = details.grpcCode;
    if (details.serverMessage !== undefined) this.serverMessage = details.serverMessage;
    if (details.request !== undefined) this.request = details.request;
  }

  /** Wraps anything thrown by a transport, a socket or user code into a TritonError. */
  static from(error: unknown, request?: string): TritonError {
    if (error instanceof TritonError) {
      if (request === undefined || error.request !== undefined) return error;
      return new TritonError(error.kind, error.message, {
        status: error.status, grpcCode: error.grpcCode, serverMessage: error.serverMessage, request, cause: error.cause,
      });
    }
    const details: TritonErrorDetails = { request, cause: error };
    if (!(error instanceof Error)) {
      return new TritonError('protocol', `unexpected failure: ${String(error)}`, details);
    }
    if (error.name === 'AbortError') return new TritonError('cancelled', 'cancelled', details);
    if (error.name === 'TimeoutError') return new TritonError('deadline', 'deadline exceeded', details);
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) {
      return new TritonError('unavailable', `cannot reach the server (${code}): ${error.message}`, details);
    }
    if (typeof code === 'string' && (code.startsWith('ERR_TLS') || TLS_ERROR_CODES.has(code))) {
      return new TritonError('unavailable', `TLS failure (${code}): ${error.message}`, details);
    }
    if (typeof code === 'string' && code.startsWith('ERR_SSL_')) {
      // OpenSSL's own errors (an alert from the server, among them) come as one long internal line.
      return new TritonError('unavailable', `TLS failure (${code}): ${sslReason(code, error.message)}`, details);
    }
    // A grpc-js ServiceError carries a numeric status code and the server's details.
    if (typeof code === 'number' && Number.isInteger(code) && code > 0 && code <= 16) {
      const grpcDetails = (error as { details?: unknown }).details;
      const serverMessage = typeof grpcDetails === 'string' ? grpcDetails : error.message;
      return new TritonError(kindFromGrpcCode(code), serverMessage, { ...details, grpcCode: code, serverMessage });
    }
    return new TritonError('protocol', error.message, details);
  }
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'EHOSTDOWN', 'ETIMEDOUT', 'EPIPE', 'ENOENT', 'EADDRNOTAVAIL', 'UND_ERR_SOCKET',
  'ERR_SOCKET_CONNECTION_TIMEOUT', 'HPE_INVALID_CONSTANT',
]);

/** What an OpenSSL error means for the caller; the reason OpenSSL gives when there is no plainer word. */
function sslReason(code: string, message: string): string {
  if (code.endsWith('_ALERT_CERTIFICATE_REQUIRED')) return 'the server requires a client certificate (tls.cert and tls.key)';
  if (code.endsWith('_ALERT_BAD_CERTIFICATE') || code.endsWith('_ALERT_UNKNOWN_CA') || code.endsWith('_ALERT_CERTIFICATE_UNKNOWN')) {
    return 'the server refused the client certificate';
  }
  // "…:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/…" → the reason alone.
  return /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message;
}

const TLS_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Kind for an HTTP error status, following Triton's own status mapping (http-protocol.md §1.1). */
export function kindFromHttpStatus(status: number): TritonErrorKind {
  switch (status) {
    case 400: return 'invalid-argument';
    case 401: return 'unauthenticated';
    case 403: return 'permission-denied';
    case 404: return 'not-found';
    case 405: return 'unsupported';
    case 408: return 'deadline';
    case 413: return 'invalid-argument';
    case 429: return 'unavailable';
    case 499: return 'cancelled';
    case 500: return 'server';
    case 501: return 'unsupported';
    case 502: return 'unavailable';
    case 503: return 'unavailable';
    case 504: return 'deadline';
    default:
      if (status >= 400 && status < 500) return 'invalid-argument';
      if (status >= 500 && status < 600) return 'server';
      return 'protocol';
  }
}

/** gRPC status codes by name, so callers need not load grpc-js to compare. */
export const GrpcStatus = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5,
  ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10,
  OUT_OF_RANGE: 11, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
} as const;

/** Kind for a gRPC status code (grpc-protocol.md §5). */
export function kindFromGrpcCode(code: number): TritonErrorKind {
  switch (code) {
    case GrpcStatus.CANCELLED: return 'cancelled';
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.ALREADY_EXISTS:
    case GrpcStatus.FAILED_PRECONDITION:
    case GrpcStatus.OUT_OF_RANGE:
      return 'invalid-argument';
    case GrpcStatus.DEADLINE_EXCEEDED: return 'deadline';
    case GrpcStatus.NOT_FOUND: return 'not-found';
    case GrpcStatus.PERMISSION_DENIED: return 'permission-denied';
    case GrpcStatus.UNAUTHENTICATED: return 'unauthenticated';
    case GrpcStatus.RESOURCE_EXHAUSTED:
    case GrpcStatus.ABORTED:
    case GrpcStatus.UNAVAILABLE:
      return 'unavailable';
    case GrpcStatus.UNIMPLEMENTED: return 'unsupported';
    case GrpcStatus.DATA_LOSS: return 'protocol';
    default: return 'server';
  }
}

/** Shorthand for the frequent local-validation failure. */
export function invalidArgument(message: string, request?: string): TritonError {
  return new TritonError('invalid-argument', message, { request });
}

/**
 * A connection that ended after the server was reached and before the answer came: the one report
 * for it over HTTP and gRPC (the server may or may not have run the request).
 */
export function connectionLost(detail: string, details: TritonErrorDetails = {}): TritonError {
  return new TritonError('unavailable', `the connection was lost during the request (${detail})`, details);
}

/** Shorthand for a response that breaks the protocol. */
export function protocolError(message: string, request?: string, cause?: unknown): TritonError {
  return new TritonError('protocol', message, { request, cause });
}
