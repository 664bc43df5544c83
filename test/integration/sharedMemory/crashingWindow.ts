// A stand-in for an extension host that dies: creates and registers a region through the real
// service, says so, then waits to be killed.
import { createTritonClient } from '../../../src/triton/client';
import { RegionLedger } from '../../../src/services/sharedMemory/regionLedger';
import { SharedMemoryService } from '../../../src/services/sharedMemory/regionService';
import { fileRecordStore } from './fileRecordStore';

const [storePath, httpUrl, name, key] = process.argv.slice(2);
const client = createTritonClient({ url: httpUrl!, protocol: 'http' });
const service = new SharedMemoryService({ ledger: new RegionLedger(fileRecordStore(storePath!)), client: () => client, serverVersion: () => undefined });
service.createAndRegister('reference', { name: name!, key: key!, byteSize: 4096 }).then(
  () => {
    process.stdout.write('created\n');
    setInterval(() => undefined, 1_000);
  },
  (error: unknown) => {
    process.stdout.write(`failed: ${String(error)}\n`);
    process.exit(1);
  },
);
