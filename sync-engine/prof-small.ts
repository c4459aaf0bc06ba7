import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startRemoteTestServer } from './src/testkit/remote-test-server.js';
import { createSyncDevice } from './src/loop/sync-devices.fixture.js';

const dir = await mkdtemp(path.join(tmpdir(), 'ferry-prof-'));
const server = await startRemoteTestServer();
const ann = await server.createUser('ann', 'A');
const a = await createSyncDevice(server, ann, dir, 'A');
const b = await createSyncDevice(server, await server.addDevice(ann, 'B'), dir, 'B');
const N = Number(process.env.N ?? 1000);
for (let d = 0; d < N / 100; d++) {
  await mkdir(path.join(a.folder, `d${d}`), { recursive: true });
  for (let i = 0; i < 100; i++) await writeFile(path.join(a.folder, `d${d}`, `f${i}.bin`), randomBytes(10240));
}
let t = performance.now();
await a.syncOnce();
console.log('upload', N, ((performance.now() - t) / 1000).toFixed(2), 's');
t = performance.now();
await b.syncOnce();
console.log('download', N, ((performance.now() - t) / 1000).toFixed(2), 's');
a.close(); b.close(); await server.close();
