// The region ledger's store kept in a JSON file, so a test and a child process it kills share it the
// way windows share the extension's global storage.
import { readFileSync, writeFileSync } from 'node:fs';
import type { RecordStore, RegionRecord } from '../../../src/services/sharedMemory/regionLedger';

export function fileRecordStore(path: string): RecordStore {
  return {
    read: () => {
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as unknown;
      } catch {
        return [];
      }
    },
    write: async (records: readonly RegionRecord[]) => writeFileSync(path, JSON.stringify(records)),
  };
}
