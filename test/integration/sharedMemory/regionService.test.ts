// Creating, registering, listing, destroying and cleaning up shared-memory regions against the
// reference server with real /dev/shm objects; every preflight check with the message a user sees.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/client';
import { RegionLedger } from '../../../src/services/sharedMemory/regionLedger';
import { SharedMemoryService } from '../../../src/services/sharedMemory/regionService';
import { checkShmAvailable, offsetProblem } from '../../../src/services/sharedMemory/preflight';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';
import { fileRecordStore } from './fileRecordStore';

const ROOT = join(__dirname, '..', '..', '..');
const tag = `tw_svc_${process.pid}`;
const shmListing = (): string[] => readdirSync('/dev/shm').filter((f) => f.startsWith('tw_svc_') || f.startsWith('triton_workbench_probe_')).sort();

/** `unshare -m` with a tmpfs of its own on /dev/shm: what a container without --ipc=host sees. Root only. */
const ownShm = (sizeMiB: number): string[] => ['unshare', '-m', '--', 'sh', '-c', `mount -t tmpfs -o size=${sizeMiB}m tmpfs /dev/shm && exec "$0" "$@"`];
const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-m', '--', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /dev/shm'], { timeout: 5_000 }).status === 0;
const UNSHARE_SKIP = canUnshare ? false : 'needs root and unshare(1) to give a process a /dev/shm of its own';

describe('shared-memory regions through the extension service', { timeout: 120_000 }, () => {
  let server: ReferenceServer;
  let client: TritonClient;
  let dir: string;
  let before0: string[];
  const service = (storeName = 'ledger.json'): { svc: SharedMemoryService; ledger: RegionLedger } => {
    const ledger = new RegionLedger(fileRecordStore(join(dir, storeName)));
    return { ledger, svc: new SharedMemoryService({ ledger, client: () => client, serverVersion: () => '2.59.1' }) };
  };

  before(async () => {
    before0 = shmListing();
    dir = mkdtempSync(join(tmpdir(), 'tw-shm-'));
    server = await startReferenceServer();
    client = createTritonClient({ url: server.httpUrl, protocol: 'http', deadlineMs: 10_000 });
  });

  after(async () => {
    await client?.unregisterSystemSharedMemory().catch(() => undefined);
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(shmListing(), before0, '/dev/shm is exactly as before the tests');
  });

  it('creates, registers, lists, destroys: nothing left in /dev/shm or the record', async () => {
    const { svc, ledger } = service();
    const key = `/${tag}_a`;
    await svc.createAndRegister('reference', { name: `${tag}_a`, key, byteSize: 8192 });
    assert.ok(existsSync(`/dev/shm/${tag}_a`));
    assert.deepEqual((await client.systemSharedMemoryStatus()).map((r) => [r.name, r.key, Number(r.byte_size)]), [[`${tag}_a`, key, 8192]]);
    assert.deepEqual(ledger.mine().map((r) => [r.name, r.key, r.serverId]), [[`${tag}_a`, key, 'reference']]);
    const rows = await svc.regions('reference');
    assert.deepEqual(rows.map((r) => ({ name: r.name, registered: r.registered, createdHere: r.createdHere, orphaned: r.orphaned })), [{ name: `${tag}_a`, registered: true, createdHere: true, orphaned: undefined }]);
    await svc.destroy(ledger.mine()[0]!);
    assert.equal(existsSync(`/dev/shm/${tag}_a`), false);
    assert.deepEqual(await client.systemSharedMemoryStatus(), []);
    assert.deepEqual(ledger.all(), []);
  });

  it('marks orphans: made here but unregistered, and registered but its object gone', async () => {
    const { svc, ledger } = service();
    await svc.createAndRegister('reference', { name: `${tag}_o1`, key: `/${tag}_o1`, byteSize: 4096 });
    await svc.createAndRegister('reference', { name: `${tag}_o2`, key: `/${tag}_o2`, byteSize: 4096 });
    await svc.unregister('reference', 'system', `${tag}_o1`);
    rmSync(`/dev/shm/${tag}_o2`);
    const rows = await svc.regions('reference');
    assert.deepEqual(rows.map((r) => [r.name, r.registered, r.orphaned]), [[`${tag}_o1`, false, 'not-registered'], [`${tag}_o2`, true, 'object-missing']]);
    const report = await svc.cleanupMine('reference');
    assert.deepEqual(report.failures, []);
    assert.deepEqual(ledger.all(), []);
    assert.deepEqual(await client.systemSharedMemoryStatus(), []);
  });

  it('refuses a name already registered, naming the region that holds it', async () => {
    const { svc } = service();
    await svc.createAndRegister('reference', { name: `${tag}_dup`, key: `/${tag}_dup1`, byteSize: 4096 });
    await assert.rejects(svc.createAndRegister('reference', { name: `${tag}_dup`, key: `/${tag}_dup2`, byteSize: 4096 }),
      new RegExp(`a region named '${tag}_dup' is already registered on this server \\(system, key /${tag}_dup1, 4096 bytes\\): unregister it first or choose another name`));
    assert.equal(existsSync(`/dev/shm/${tag}_dup2`), false, 'the refused region was never created');
    await svc.cleanupMine();
  });

  it('refuses bad keys, names and sizes with what is wrong', async () => {
    const { svc } = service();
    const cases: [Parameters<SharedMemoryService['createAndRegister']>[1], RegExp][] = [
      [{ name: 'x', key: `/${tag}/../etc`, byteSize: 64 }, /must not contain a '\/' after the leading one/],
      [{ name: 'x', key: '/..', byteSize: 64 }, /must not contain '\.\.'/],
      [{ name: 'x', key: 'noslash', byteSize: 64 }, /must start with '\/'/],
      [{ name: 'x', key: `/${'k'.repeat(256)}`, byteSize: 64 }, /longer than 255 characters/],
      [{ name: 'a/b', key: `/${tag}_n`, byteSize: 64 }, /must not contain '\/'/],
      [{ name: '', key: `/${tag}_n`, byteSize: 64 }, /a region name is required/],
      [{ name: 'x', key: `/${tag}_n`, byteSize: 0 }, /size 0 must be a whole number of bytes > 0/],
      [{ name: 'x', key: `/${tag}_n`, byteSize: 1.5 }, /size 1.5 must be/],
    ];
    for (const [region, message] of cases) await assert.rejects(svc.createAndRegister('reference', region), message);
  });

  it('registers part of an existing object, refusing a range past its end and unaligned offsets on 2.59', async () => {
    const { svc } = service();
    writeFileSync(`/dev/shm/${tag}_ex`, Buffer.alloc(16384));
    try {
      await assert.rejects(svc.registerExisting('reference', { name: `${tag}_ex`, key: `/${tag}_ex`, offset: 12288, byteSize: 8192 }),
        new RegExp(`offset 12288 \\+ size 8192 = 20480 bytes goes past the end of '/${tag}_ex', which holds 16384 bytes`));
      await assert.rejects(svc.registerExisting('reference', { name: `${tag}_ex`, key: `/${tag}_ex`, offset: 100, byteSize: 64 }), /accepts only page-aligned offsets/);
      await assert.rejects(svc.registerExisting('reference', { name: `${tag}_ex`, key: `/${tag}_missing`, offset: 0, byteSize: 64 }), /there is no shared-memory object '\/tw_svc_\d+_missing' on this machine/);
      const result = await svc.registerExisting('reference', { name: `${tag}_ex`, key: `/${tag}_ex`, offset: 4096, byteSize: 4096 });
      assert.match(result.warning ?? '', /offset added twice; fixed in 2\.60\.0/);
      assert.deepEqual((await client.systemSharedMemoryStatus()).map((r) => [r.name, Number(r.offset), Number(r.byte_size)]), [[`${tag}_ex`, 4096, 4096]]);
      await svc.unregister('reference', 'system');
      assert.deepEqual(await client.systemSharedMemoryStatus(), []);
    } finally {
      rmSync(`/dev/shm/${tag}_ex`, { force: true });
    }
    assert.deepEqual(offsetProblem(4096, '2.60.0'), {});
  });

  it('says when this machine has no /dev/shm', async () => {
    await assert.rejects(checkShmAvailable(join(dir, 'no-such-shm')), /system shared memory is not available on this machine: .*no-such-shm does not exist/);
    await assert.rejects(checkShmAvailable('/dev/shm', 'darwin'), /this is darwin, and Triton's system shared memory works through \/dev\/shm on Linux/);
    const ledger = new RegionLedger(fileRecordStore(join(dir, 'none.json')));
    const svc = new SharedMemoryService({ ledger, client: () => client, serverVersion: () => undefined, shmDir: join(dir, 'no-such-shm') });
    await assert.rejects(svc.createAndRegister('reference', { name: 'x', key: `/${tag}_x`, byteSize: 64 }), /not available on this machine/);
  });

  it('a window killed after creating a region leaves a record the next start cleans up', async () => {
    const store = join(dir, 'crash.json');
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'crashingWindow.ts'), store, server.httpUrl, `${tag}_crash`, `/${tag}_crash`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const said = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.once('exit', () => resolve(out));
    });
    assert.equal(said.trim(), 'created');
    const died = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await died;
    assert.ok(existsSync(`/dev/shm/${tag}_crash`), 'the dead window left its object behind');
    const ledger = new RegionLedger(fileRecordStore(store));
    const left = ledger.leftBehind();
    assert.deepEqual(left.map((r) => [r.name, r.key, r.pid]), [[`${tag}_crash`, `/${tag}_crash`, child.pid]]);
    const svc = new SharedMemoryService({ ledger, client: () => client, serverVersion: () => undefined });
    const report = await svc.cleanup(left);
    assert.deepEqual(report, { removed: [`/${tag}_crash`], failures: [] });
    assert.equal(existsSync(`/dev/shm/${tag}_crash`), false);
    assert.deepEqual(await client.systemSharedMemoryStatus(), []);
    assert.deepEqual(ledger.all(), []);
  });

  it('a server with a /dev/shm of its own (a container without --ipc=host) is named as such', { skip: UNSHARE_SKIP }, async () => {
    const isolated = await startReferenceServer({ wrapper: ownShm(8) });
    const other = createTritonClient({ url: isolated.httpUrl, protocol: 'http', deadlineMs: 10_000 });
    try {
      const ledger = new RegionLedger(fileRecordStore(join(dir, 'iso.json')));
      const svc = new SharedMemoryService({ ledger, client: () => other, serverVersion: () => undefined });
      await assert.rejects(svc.createAndRegister('iso', { name: `${tag}_iso`, key: `/${tag}_iso`, byteSize: 4096 }),
        /The server runs in another IPC namespace: start the container with --ipc=host or give it the same \/dev\/shm/);
      assert.equal(existsSync(`/dev/shm/${tag}_iso`), false);
      assert.deepEqual(ledger.all(), []);
    } finally {
      other.close();
      await isolated.stop();
    }
  });

  it('a region larger than the free space in /dev/shm is refused before anything is made', { skip: UNSHARE_SKIP }, () => {
    // The check runs in a process whose /dev/shm is a 64 MiB tmpfs, Docker's default (tsx loads the
    // TypeScript module as CommonJS, hence the default export fallback).
    const script = `import('${join(ROOT, 'src/services/sharedMemory/preflight.ts')}').then((m) => (m.checkFreeSpace ?? m.default.checkFreeSpace)(100 * 1024 * 1024)).then(() => console.log('fits'), (e) => console.log(e.message))`;
    const r = spawnSync(ownShm(64)[0]!, [...ownShm(64).slice(1), process.execPath, '--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.match(r.stdout, /a 100 MiB region does not fit: \/dev\/shm has 64 MiB free of 64 MiB\. In a container, raise it \(docker run --shm-size=1g …\)/);
  });

  it('a server refusing client shared memory is quoted', async () => {
    const restricted = await startReferenceServer({ extraArgs: ['--http-restricted-api', 'shared-memory:admin-key=secret'] });
    const other = createTritonClient({ url: restricted.httpUrl, protocol: 'http', deadlineMs: 10_000 });
    try {
      const ledger = new RegionLedger(fileRecordStore(join(dir, 'restricted.json')));
      const svc = new SharedMemoryService({ ledger, client: () => other, serverVersion: () => undefined });
      await assert.rejects(svc.createAndRegister('r', { name: `${tag}_r`, key: `/${tag}_r`, byteSize: 4096 }), /the server refused to register client shared memory: .*restricted/i);
      assert.deepEqual(ledger.all(), []);
    } finally {
      other.close();
      await restricted.stop();
    }
  });
});
