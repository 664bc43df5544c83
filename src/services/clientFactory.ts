// Builds a Triton client for a configured server: picks the transport, reads TLS files and merges
// the non-secret headers from settings with the secret ones from secret storage.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { createTritonClient } from '../triton/client';
import type { TlsOptions, TritonClient } from '../triton/clientTypes';
import { TritonError } from '../triton/errors';
import type { SecretStore, ServerConfig } from './serverConfig';
import { readSecretHeaders, withheldSecretsReason } from './serverConfig';

/** PEM bundles are a few KiB; anything bigger is not a certificate file. */
export const maxTlsFileBytes = 1024 * 1024;

/**
 * Opens without blocking (a FIFO would otherwise wait for a writer forever), then checks the opened
 * handle is a regular file of sane size before reading it, so /dev/zero or a pipe is an error, not a hang.
 */
async function readTlsFile(path: string | undefined, what: string, server: string): Promise<Uint8Array | undefined> {
  if (path === undefined) return undefined;
  const fail = (reason: string): TritonError =>
    new TritonError('invalid-argument', `cannot read the TLS ${what} of server '${server}' (${path}, setting triton.servers → tls): ${reason}`);
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw fail('not a regular file');
    if (info.size > maxTlsFileBytes) throw fail(`${info.size} bytes; a PEM file is at most ${maxTlsFileBytes} bytes`);
    const buffer = Buffer.alloc(info.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof TritonError) throw error;
    throw fail(error instanceof Error ? error.message : String(error));
  } finally {
    await handle.close();
  }
}

export async function createClientFor(server: ServerConfig, secrets: SecretStore): Promise<TritonClient> {
  // Secrets saved for another address are never sent; the server is not contacted until the user decides.
  const withheld = await withheldSecretsReason(secrets, server);
  if (withheld !== undefined) throw new TritonError('unauthenticated', withheld);
  const secretHeaders = await readSecretHeaders(secrets, server);
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
