// HTTP/REST transport of the Triton client.
import type { TritonClient, TritonClientOptions } from '../client';
import { TritonError } from '../errors';

export function createHttpClient(options: TritonClientOptions): TritonClient {
  throw new TritonError('unsupported', `HTTP transport unavailable for ${options.url}`);
}
