// Maps what @grpc/grpc-js reports (status code + details) to TritonError kinds.
import { GrpcStatus, TritonError, connectionLost } from '../errors';

interface StatusLike {
  code?: unknown;
  details?: unknown;
  message?: unknown;
}

/**
 * Status codes follow grpc-protocol.md §5 via TritonError.from; two client-side cases are really
 * broken answers and become 'protocol': a response over the size limit, and bytes that do not
 * decode as the expected message.
 */
export function grpcError(error: unknown, request: string): TritonError {
  if (error instanceof TritonError) return TritonError.from(error, request);
  const status = error as StatusLike | null;
  const code = typeof status?.code === 'number' ? status.code : undefined;
  const details = typeof status?.details === 'string' ? status.details : undefined;
  if (code === GrpcStatus.RESOURCE_EXHAUSTED && details && /^Received message (larger|that decompresses)/.test(details)) {
    return new TritonError('protocol', `response too large: ${details}`, { request, grpcCode: code, serverMessage: details, cause: error });
  }
  if (code === GrpcStatus.INTERNAL && details?.startsWith('Response message parsing error')) {
    return new TritonError('protocol', `malformed response: ${details}`, { request, grpcCode: code, cause: error });
  }
  if (code === GrpcStatus.CANCELLED && details === 'Cancelled on client') {
    return new TritonError('cancelled', 'cancelled', { request, grpcCode: code, cause: error });
  }
  // grpc-js's own words for a connection that ended under a call (not a status the server sent).
  if (code === GrpcStatus.UNAVAILABLE && details !== undefined && (details === 'Connection dropped' || /^(read|write) (ECONNRESET|EPIPE|ETIMEDOUT)\b/.test(details))) {
    return connectionLost(details, { request, grpcCode: code, cause: error });
  }
  if (code === GrpcStatus.DEADLINE_EXCEEDED) {
    return new TritonError('deadline', details ? `deadline exceeded (${details})` : 'deadline exceeded', { request, grpcCode: code, cause: error });
  }
  return TritonError.from(error, request);
}
