// System shared-memory regions for Triton: POSIX shm objects, reached as files under /dev/shm.
// Node cannot mmap, so tensors are moved in and out with positional reads and writes on the file.
import { constants } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { decodeBytesPrefix } from './bytesCodec';
import { datatypeInfo } from './datatypes';
import { TritonError } from './errors';
import type { TritonErrorKind } from './errors';
import { decodeTensor, elementCount, encodeTensor } from './tensor';
import type { NumericTypedArray, TensorData, TritonDatatype } from './types';

/** Linux NAME_MAX; shm_open names live in one directory. */
const MAX_KEY_LENGTH = 255;
const RESERVED_PREFIX = 'triton_python_backend_shm_region_';

export interface SharedMemoryRegionHandle {
  /** The shm_open name, e.g. "/input_simple" — what registerSystemSharedMemory takes as key. */
  readonly key: string;
  /** The file backing it, e.g. /dev/shm/input_simple. */
  readonly path: string;
  readonly byteSize: number;
  /** True when this handle created the object (destroy then unlinks it). */
  readonly created: boolean;
  readonly file: FileHandle;
}

export interface CreateRegionOptions {
  /** Fail if the object exists already (default false: reuse it, growing it to byteSize if smaller, when it is a regular file of this user). */
  createOnly?: boolean;
  /** Folder holding POSIX shm objects (default /dev/shm). */
  shmDir?: string;
  /** File mode of a new object (default 0o600: only this user, like Python's SharedMemory). */
  mode?: number;
}

/** Checks a shm key: "/name" with no further '/', no NUL, not "." or "..", at most 255 characters. */
export function validateShmKey(key: string): void {
  const bad = (why: string): never => { throw new TritonError('invalid-argument', `shared-memory key '${String(key)}' ${why}`); };
  if (typeof key !== 'string') bad('must be a string');
  if (!key.startsWith('/')) bad("must start with '/'");
  const name = key.slice(1);
  if (name === '') bad('has no name after the leading slash');
  if (name.includes('/')) bad("must not contain a '/' after the leading one");
  if (name === '.' || name === '..' || name.includes('..')) bad("must not contain '..'");
  if (name.includes('\0')) bad('must not contain NUL');
  if (name.length > MAX_KEY_LENGTH) bad(`is longer than ${MAX_KEY_LENGTH} characters`);
  if (name.startsWith(RESERVED_PREFIX)) bad(`uses the prefix '${RESERVED_PREFIX}' reserved by Triton's Python backend`);
}

function fsError(error: unknown, what: string): TritonError {
  const code = (error as { code?: string }).code;
  const kinds: Record<string, TritonErrorKind> = {
    ENOENT: 'not-found', EEXIST: 'invalid-argument', EACCES: 'permission-denied', EPERM: 'permission-denied',
    ENOSPC: 'unavailable', ENOMEM: 'unavailable', EMFILE: 'unavailable',
  };
  const message = error instanceof Error ? error.message : String(error);
  return new TritonError(code !== undefined && kinds[code] ? kinds[code]! : 'server', `${what}: ${message}`, { cause: error });
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** An object this handle did not create must be a plain file of this user: not a device, a folder or another user's region. */
async function checkExisting(file: FileHandle, key: string, path: string): Promise<void> {
  let problem: string | undefined;
  try {
    const st = await file.stat();
    const uid = process.getuid?.();
    if (!st.isFile()) problem = `${path} is not a regular file`;
    else if (uid !== undefined && st.uid !== uid) problem = `${path} belongs to user ${st.uid}, not to this user (${uid})`;
  } catch (error) {
    problem = `cannot inspect ${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (problem === undefined) return;
  await file.close().catch(() => undefined);
  throw new TritonError('invalid-argument', `cannot open shared memory '${key}': ${problem}`);
}

/** Creates (or opens) the shm object `key` with at least `byteSize` bytes. */
export async function createSharedMemoryRegion(key: string, byteSize: number, options: CreateRegionOptions = {}): Promise<SharedMemoryRegionHandle> {
  validateShmKey(key);
  if (!Number.isSafeInteger(byteSize) || byteSize <= 0) throw new TritonError('invalid-argument', `byteSize must be a positive integer, got ${String(byteSize)}`);
  const path = join(options.shmDir ?? '/dev/shm', key.slice(1));
  let file: FileHandle;
  let created = false;
  try {
    // O_RDWR without O_APPEND: positional writes must land where asked. O_EXCL never follows a link.
    file = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, options.mode ?? 0o600);
    created = true;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST' || options.createOnly) throw fsError(error, `cannot create shared memory '${key}'`);
    try {
      // /dev/shm is world-writable: like glibc's shm_open, never follow a link someone planted there.
      file = await open(path, constants.O_RDWR | NOFOLLOW);
    } catch (openError) {
      const code = (openError as { code?: string }).code;
      if (code === 'ELOOP' || code === 'EISDIR') {
        const what = code === 'ELOOP' ? 'is a symbolic link' : 'is not a regular file but a folder';
        throw new TritonError('invalid-argument', `cannot open shared memory '${key}': ${path} ${what}`, { cause: openError });
      }
      throw fsError(openError, `cannot open shared memory '${key}'`);
    }
    await checkExisting(file, key, path);
  }
  try {
    const { size } = await file.stat();
    if (size < byteSize) await file.truncate(byteSize);
  } catch (error) {
    await file.close().catch(() => undefined);
    if (created) await unlink(path).catch(() => undefined);
    throw fsError(error, `cannot size shared memory '${key}' to ${byteSize} bytes`);
  }
  return { key, path, byteSize, created, file };
}

function checkRange(region: SharedMemoryRegionHandle, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new TritonError('invalid-argument', `${what}: offset ${String(offset)} is not a non-negative integer`);
  if (offset + length > region.byteSize) {
    throw new TritonError('invalid-argument', `${what}: ${length} byte(s) at offset ${offset} do not fit the ${region.byteSize}-byte region '${region.key}'`);
  }
}

/** Writes raw bytes at `offset`. */
export async function writeSharedMemory(region: SharedMemoryRegionHandle, data: Uint8Array, offset = 0): Promise<void> {
  checkRange(region, offset, data.byteLength, 'write');
  let done = 0;
  try {
    while (done < data.byteLength) {
      const { bytesWritten } = await region.file.write(data, done, data.byteLength - done, offset + done);
      if (bytesWritten === 0) throw new Error('write made no progress');
      done += bytesWritten;
    }
  } catch (error) {
    throw fsError(error, `cannot write shared memory '${region.key}'`);
  }
}

/**
 * Reads `length` bytes at `offset`. With `into` (exactly `length` bytes) the bytes land there and
 * `into` is returned: reusing one buffer spares the page faults of a fresh one on every read, which
 * for tensors of many MiB cost more than the copy itself.
 */
export async function readSharedMemory(region: SharedMemoryRegionHandle, offset: number, length: number): Promise<Buffer>;
export async function readSharedMemory<T extends Uint8Array>(region: SharedMemoryRegionHandle, offset: number, length: number, into: T): Promise<T>;
export async function readSharedMemory(region: SharedMemoryRegionHandle, offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
  checkRange(region, offset, length, 'read');
  if (into !== undefined) checkTarget(into, length, `read of ${length} byte(s) from '${region.key}'`);
  // Filled completely below (or the read fails), so zeroing it first would be wasted work.
  const out = into ?? Buffer.allocUnsafe(length);
  let done = 0;
  try {
    while (done < length) {
      const { bytesRead } = await region.file.read(out, done, length - done, offset + done);
      if (bytesRead === 0) throw new Error(`the object ends after ${offset + done} bytes`);
      done += bytesRead;
    }
  } catch (error) {
    throw fsError(error, `cannot read shared memory '${region.key}'`);
  }
  return out;
}

function checkTarget(into: unknown, length: number, what: string): void {
  if (!(into instanceof Uint8Array)) throw new TritonError('invalid-argument', `${what}: the target buffer must be a Uint8Array`);
  if (into.byteLength !== length) {
    throw new TritonError('invalid-argument', `${what}: the target buffer holds ${into.byteLength} byte(s), not ${length}`);
  }
}

export interface TensorValues {
  datatype: TritonDatatype;
  shape: readonly number[];
  data: TensorData;
}

/**
 * Writes tensors back to back from `offset` in their wire layout (like tritonclient's
 * set_shared_memory_region) and returns where each one starts and how long it is.
 */
export async function setSharedMemoryTensors(
  region: SharedMemoryRegionHandle,
  tensors: readonly TensorValues[],
  offset = 0,
): Promise<{ offset: number; byteSize: number }[]> {
  const placed: { offset: number; byteSize: number }[] = [];
  const chunks: Uint8Array[] = [];
  let at = offset;
  for (const tensor of tensors) {
    const bytes = encodeTensor(tensor.datatype, tensor.data, tensor.shape);
    placed.push({ offset: at, byteSize: bytes.byteLength });
    chunks.push(bytes);
    at += bytes.byteLength;
  }
  checkRange(region, offset, at - offset, 'write tensors');
  for (let i = 0; i < chunks.length; i++) await writeSharedMemory(region, chunks[i]!, placed[i]!.offset);
  return placed;
}

export interface ReadTensorOptions {
  /**
   * A typed array of the datatype's kind (Float32Array for FP32, Uint16Array for FP16/BF16,
   * BigInt64Array for INT64, ...) with exactly the shape's element count: the tensor is read into
   * it and it is returned. Not for BOOL or BYTES, whose values are not a typed array.
   */
  into?: NumericTypedArray;
}

/** Reads a tensor of `shape` from `offset` (BYTES: walks length prefixes, each bounds-checked). */
export async function getSharedMemoryTensor(
  region: SharedMemoryRegionHandle,
  datatype: TritonDatatype,
  shape: readonly number[],
  offset = 0,
  options: ReadTensorOptions = {},
): Promise<TensorData> {
  const count = elementCount(shape);
  const where = `shared memory '${region.key}' at offset ${offset}`;
  if (options.into !== undefined) return readTensorInto(region, datatype, shape, count, offset, options.into, where);
  if (datatype === 'BYTES') {
    checkRange(region, offset, 0, 'read');
    const rest = await readSharedMemory(region, offset, region.byteSize - offset);
    return decodeBytesPrefix(rest, count, where).elements;
  }
  const bytes = await readSharedMemory(region, offset, count * datatypeInfo(datatype).size);
  return decodeTensor(datatype, bytes, shape, where);
}

async function readTensorInto(
  region: SharedMemoryRegionHandle,
  datatype: TritonDatatype,
  shape: readonly number[],
  count: number,
  offset: number,
  into: NumericTypedArray,
  where: string,
): Promise<TensorData> {
  const info = datatypeInfo(datatype);
  const fail = (why: string): never => { throw new TritonError('invalid-argument', `read ${datatype} [${shape.join(',')}] from ${where} into a caller's array: ${why}`); };
  if (datatype === 'BYTES' || datatype === 'BOOL' || info?.array === undefined) fail(`${datatype} values are not a typed array`);
  const Ctor = info!.array!;
  if (!(into instanceof Ctor)) fail(`needs a ${Ctor.name}, got ${ArrayBuffer.isView(into) ? into.constructor.name : typeof into}`);
  if (into.length !== count) fail(`the array has ${into.length} element(s) but the shape needs ${count}`);
  if (endianness() !== 'LE' && info!.size > 1) throw new TritonError('unsupported', 'big-endian hosts are not supported');
  await readSharedMemory(region, offset, into.byteLength, new Uint8Array(into.buffer, into.byteOffset, into.byteLength));
  return into;
}

/** Closes the handle; unlinks the object when this handle created it (or when `unlink` says so). */
export async function destroySharedMemoryRegion(region: SharedMemoryRegionHandle, options: { unlink?: boolean } = {}): Promise<void> {
  await region.file.close().catch(() => undefined);
  if (options.unlink ?? region.created) {
    try {
      await unlink(region.path);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw fsError(error, `cannot remove shared memory '${region.key}'`);
    }
  }
}
