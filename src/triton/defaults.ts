// Defaults shared by both transports.

/** Connections kept per client and default in-flight limit of inferMany. */
export const DEFAULT_CONCURRENCY = 8;

/** Largest response accepted unless the client options say otherwise (2 GiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * Largest body a compressed HTTP answer may inflate to unless the client options say otherwise: a
 * 1 MB gzip body can hold 1 GiB, so compressed answers get a far smaller cap than plain ones.
 */
export const DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** A host that silently drops packets would otherwise hold a call for the kernel's ~2 minutes of SYN retries. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
