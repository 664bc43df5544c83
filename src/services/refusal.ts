// Telling a server's refusal (an expected part of use) from a fault of the extension, for the log.
import { TritonError } from '../triton/errors';

/**
 * A server that refuses a request (a model that fails to load, a wrong input, a server that is down)
 * is part of normal use, not a fault of the extension: returns the line to log as a warning — the
 * server's reason and the error kind, no stack trace. Undefined for malformed answers ('protocol')
 * and every other error, which keep their stack.
 */
export function expectedRefusal(error: unknown): string | undefined {
  if (!(error instanceof TritonError) || error.kind === 'protocol') return undefined;
  const reason = error.serverMessage !== undefined && !error.message.includes(error.serverMessage) ? `${error.message} (${error.serverMessage})` : error.message;
  return `${reason} [${error.kind}${error.status !== undefined ? `, HTTP ${error.status}` : ''}${error.grpcCode !== undefined ? `, gRPC code ${error.grpcCode}` : ''}]`;
}
