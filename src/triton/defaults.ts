// Defaults shared by both transports.

/** Connections kept per client and default in-flight limit of inferMany. */
export const DEFAULT_CONCURRENCY = 8;

/** Largest response accepted unless the client options say otherwise (2 GiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 2 * 1024 * 1024 * 1024;

/** A host that silently drops packets would otherwise hold a call for the kernel's ~2 minutes of SYN retries. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
