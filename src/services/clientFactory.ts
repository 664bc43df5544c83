// Builds a Triton client for a configured server: picks the transport, reads TLS files and merges
// the non-secret headers from settings with the secret ones from secret storage.
import { readFile } from 'node:fs/promises';
import { createTritonClient } from '../triton/client';
import type { TlsOptions, TritonClient } from '../triton/client';
import { TritonError } from '../triton/errors';
import type { SecretStore, ServerConfig } from './serverConfig';
import { readSecretHeaders } from './serverConfig';

async function readTlsFile(path: string | undefined, what: string, server: string): Promise<Uint8Array | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TritonError('invalid-argument', `cannot read the TLS ${what} of server '${server}' (${path}): ${reason}`);
  }
}

export async function createClientFor(server: ServerConfig, secrets: SecretStore): Promise<TritonClient> {
  const secretHeaders = await readSecretHeaders(secrets, server.name);
  let tls: TlsOptions | undefined;
  if (server.tls !== undefined) {
    const [ca, cert, key] = await Promise.all([
      readTlsFile(server.tls.caFile, 'CA file', server.name),
      readTlsFile(server.tls.certFile, 'certificate file', server.name),
      readTlsFile(server.tls.keyFile, 'key file', server.name),
    ]);
    tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(server.tls.insecureSkipVerify ? { insecure: true } : {}) };
  }
  const useGrpc = server.protocol === 'grpc' && server.grpcUrl !== undefined;
  return createTritonClient({
    url: useGrpc ? server.grpcUrl! : server.httpUrl,
    protocol: useGrpc ? 'grpc' : 'http',
    headers: { ...(server.headers ?? {}), ...secretHeaders },
    // Browsing answers (index, metadata, config, statistics) are small; a server sending more is refused.
    maxResponseBytes: 64 * 1024 * 1024,
    // Triton serves TLS natively on gRPC only: the tls block reaches HTTP just for https:// URLs.
    ...(tls !== undefined && (useGrpc || /^https:/i.test(server.httpUrl)) ? { tls } : {}),
  });
}
