// One inference with its tensors moved through system shared memory instead of the socket: inputs
// written into a fresh region, outputs the server writes into another, both registered for the call
// and unregistered and removed after it, whatever happens. Recorded in the ledger while they exist.
import { randomBytes } from 'node:crypto';
import type { TritonClient } from '../../triton/clientTypes';
import { TritonError } from '../../triton/errors';
import { createSharedMemoryRegion, destroySharedMemoryRegion, getSharedMemoryTensor, writeSharedMemory } from '../../triton/sharedMemory';
import type { SharedMemoryRegionHandle } from '../../triton/sharedMemory';
import { isDatatype } from '../../triton/datatypes';
import { encodeTensor, fixedByteSize } from '../../triton/tensor';
import type { InferInput, InferOptions, InferResult, RequestedOutput, TritonDatatype } from '../../triton/types';
import type { RegionLedger } from './regionLedger';
import { checkFreeSpace, DEFAULT_SHM_DIR } from './preflight';

export interface ShmPlan {
  /** Inputs with values go through shared memory. */
  inputs: boolean;
  /** Outputs of a size known before the call go through shared memory. */
  outputs: boolean;
}

/** What the server will answer for an output: from the model metadata, batch dimension filled in. */
export interface OutputShape {
  name: string;
  datatype: TritonDatatype;
  shape: readonly number[];
}

export interface ShmInferOutcome {
  result: InferResult;
  /** Tensor bytes that went through shared memory rather than the socket. */
  bytesViaShm: number;
  /** What stayed on the socket, and why (BYTES outputs, dynamic shapes, classification). */
  notes: string[];
}

/**
 * The outputs' shapes as the server will answer them, from the model form: the batch of the first
 * input prepended when the model batches; -1 where a dimension is only known after the call.
 */
export function outputShapesFor(form: { maxBatchSize: number; outputs: readonly { name: string; datatype: string; dims: readonly number[] }[] }, inputs: readonly { shape: readonly number[] }[]): OutputShape[] {
  const batch = form.maxBatchSize > 0 ? (inputs[0]?.shape[0] ?? -1) : undefined;
  return form.outputs.flatMap((o) => (isDatatype(o.datatype) ? [{ name: o.name, datatype: o.datatype, shape: batch === undefined ? [...o.dims] : [batch, ...o.dims] }] : []));
}

type Client = Pick<TritonClient, 'infer' | 'registerSystemSharedMemory' | 'unregisterSystemSharedMemory'>;

interface Region {
  handle: SharedMemoryRegionHandle;
  name: string;
  registered: boolean;
}

const ALIGN = 64;
const aligned = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

export async function inferThroughSharedMemory(
  deps: { client: Client; serverId: string; ledger?: RegionLedger; shmDir?: string },
  request: { model: string; inputs: InferInput[]; outputs: RequestedOutput[]; outputShapes: readonly OutputShape[]; options?: InferOptions },
  plan: ShmPlan,
): Promise<ShmInferOutcome> {
  const notes: string[] = [];
  const shmDir = deps.shmDir ?? DEFAULT_SHM_DIR;
  const tag = randomBytes(6).toString('hex');

  // Inputs: encoded back to back, each at a 64-byte aligned offset.
  const inputBytes: { input: InferInput; bytes: Uint8Array; offset: number }[] = [];
  let inputSize = 0;
  if (plan.inputs) {
    for (const input of request.inputs) {
      if (input.data === undefined && input.raw === undefined) continue;
      const bytes = input.raw ?? encodeTensor(input.datatype, input.data!, input.shape, `input '${input.name}'`);
      inputBytes.push({ input, bytes, offset: inputSize });
      inputSize = aligned(inputSize + bytes.byteLength);
    }
  }

  // Outputs: only those whose size is known before the call.
  const wanted: RequestedOutput[] = request.outputs.length > 0 ? request.outputs : request.outputShapes.map((o) => ({ name: o.name }));
  const outputPlaces = new Map<string, { offset: number; byteSize: number }>();
  let outputSize = 0;
  if (plan.outputs) {
    for (const out of wanted) {
      const shape = request.outputShapes.find((o) => o.name === out.name);
      const size = shape && !shape.shape.some((d) => d < 0) ? fixedByteSize(shape.datatype, shape.shape) : undefined;
      if (out.classCount !== undefined && out.classCount > 0) notes.push(`output '${out.name}' is a classification (strings): it comes over the socket`);
      else if (shape === undefined) notes.push(`output '${out.name}' is not in the model metadata: it comes over the socket`);
      else if (size === undefined) notes.push(`output '${out.name}' (${shape.datatype} [${shape.shape.join(',')}]) has no size known before the call: it comes over the socket`);
      else {
        outputPlaces.set(out.name, { offset: outputSize, byteSize: size });
        outputSize = aligned(outputSize + size);
      }
    }
  }
  if (inputSize + outputSize > 0) await checkFreeSpace(inputSize + outputSize, shmDir);

  const regions: Region[] = [];
  const open = async (suffix: string, size: number): Promise<Region> => {
    const key = `/triton_workbench_${suffix}_${tag}`;
    await deps.ledger?.add({ name: key.slice(1), key, byteSize: size, serverId: deps.serverId });
    const handle = await createSharedMemoryRegion(key, size, { createOnly: true, shmDir }).catch(async (error: unknown) => {
      await deps.ledger?.remove([key]);
      throw error;
    });
    const region = { handle, name: key.slice(1), registered: false };
    regions.push(region);
    return region;
  };

  try {
    const inputs = [...request.inputs];
    if (inputSize > 0) {
      const region = await open('in', inputSize);
      for (const { bytes, offset } of inputBytes) await writeSharedMemory(region.handle, bytes, offset);
      await deps.client.registerSystemSharedMemory(region.name, region.handle.key, inputSize, 0, { signal: request.options?.signal });
      region.registered = true;
      for (const { input, bytes, offset } of inputBytes) {
        inputs[request.inputs.indexOf(input)] = { name: input.name, datatype: input.datatype, shape: input.shape, parameters: input.parameters, sharedMemory: { region: region.name, byteSize: bytes.byteLength, offset } };
      }
    }
    let outputs: RequestedOutput[] = request.outputs;
    let outRegion: Region | undefined;
    if (outputSize > 0) {
      outRegion = await open('out', outputSize);
      await deps.client.registerSystemSharedMemory(outRegion.name, outRegion.handle.key, outputSize, 0, { signal: request.options?.signal });
      outRegion.registered = true;
      outputs = wanted.map((o) => {
        const place = outputPlaces.get(o.name);
        return place ? { ...o, sharedMemory: { region: outRegion!.name, byteSize: place.byteSize, offset: place.offset } } : o;
      });
    }
    const result = await deps.client.infer(request.model, inputs, outputs, request.options);
    let bytesViaShm = inputBytes.reduce((n, b) => n + b.bytes.byteLength, 0);
    for (const out of result.outputs) {
      const place = outputPlaces.get(out.name);
      if (!place || outRegion === undefined) continue;
      if (out.data !== undefined) continue;
      const size = fixedByteSize(out.datatype, out.shape);
      if (size === undefined || size > place.byteSize) throw new TritonError('protocol', `output '${out.name}' came back as ${out.datatype} [${out.shape.join(',')}], larger than the ${place.byteSize} bytes set aside for it`);
      out.data = await getSharedMemoryTensor(outRegion.handle, out.datatype, out.shape, place.offset);
      delete out.sharedMemory;
      bytesViaShm += size;
    }
    return { result, bytesViaShm, notes };
  } finally {
    for (const region of regions) {
      if (region.registered) await deps.client.unregisterSystemSharedMemory(region.name).catch(() => undefined);
      await destroySharedMemoryRegion(region.handle, { unlink: true }).catch(() => undefined);
      await deps.ledger?.remove([region.handle.key]).catch(() => undefined);
    }
  }
}
