// Errors with Triton's status codes; each transport maps the code to its own status.

export type ErrorCode = 'INTERNAL' | 'NOT_FOUND' | 'INVALID_ARG' | 'UNAVAILABLE' | 'UNSUPPORTED' | 'ALREADY_EXISTS' | 'UNKNOWN' | 'CANCELLED';

export class ServerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** HTTP only: 2.59.1 sends some errors with `Content-Type: text/plain` (the body is JSON all the same). */
    readonly plainText = false,
  ) {
    super(message);
    this.name = 'ServerError';
  }

  /** Set when the request had already been handed to the model (execution errors, not validation errors). */
  afterIssue = false;
}

/** A model configuration Triton would refuse; the message is Triton's. */
export class ConfigError extends Error {}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'INTERNAL': return 500;
    case 'NOT_FOUND': return 404;
    case 'UNAVAILABLE': return 503;
    case 'UNSUPPORTED': return 501;
    default: return 400;
  }
}

/** gRPC numeric status codes. */
export function grpcStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'INTERNAL': return 13;
    case 'NOT_FOUND': return 5;
    case 'INVALID_ARG': return 3;
    case 'UNAVAILABLE': return 14;
    case 'UNSUPPORTED': return 12;
    case 'ALREADY_EXISTS': return 6;
    case 'CANCELLED': return 1;
    default: return 2;
  }
}

export function asServerError(err: unknown): ServerError {
  if (err instanceof ServerError) return err;
  return new ServerError('INTERNAL', err instanceof Error ? err.message : String(err));
}
