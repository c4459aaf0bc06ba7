import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBlock, hashBlock } from '../blocks/index.js';
import type { FolderMetadata } from '../protocol/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';

const signal = () => AbortSignal.timeout(30_000);

describe('sharing against the real server', () => {
  let server: RemoteTestServer;
  let ann: TestDevice;
  let bob: TestDevice;
  beforeAll(async () => {
    server = await startRemoteTestServer();
    ann = await server.createUser('ann');
    bob = await server.createUser('bob');
  });
  afterAll(() => server.close());

  it('shares a folder, changes the role, and revokes it; roles are enforced', async () => {
    await ann.client.uploadFile(
      { path: '/Team/plan.txt', body: new TextEncoder().encode('the plan') },
      signal(),
    );
    const share = await ann.client.createShare(
      { path: '/Team', email: bob.email, role: 'viewer' },
      signal(),
    );
    expect(share).toMatchObject({ path: '/Team', role: 'viewer', recipientEmail: bob.email });

    const received = await bob.client.listShares(signal());
    expect(received.received).toEqual([expect.objectContaining({ id: share.id, path: '/Team' })]);
    const mount = (await bob.client.listFolder({ path: '/' }, signal())).find(
      (e): e is FolderMetadata => e.type === 'folder' && e.path === '/Team',
    );
    expect(mount?.mount).toEqual({ namespace: share.namespace, role: 'viewer' });

    // A viewer reads the share's key and blocks, and may not upload.
    const key = await bob.client.getNamespaceKey(share.namespace, signal());
    const plain = new TextEncoder().encode('a viewer tries');
    const id = hashBlock(plain);
    const refused = await bob.client
      .putBlock({ namespace: share.namespace, id, encoded: encodeBlock(plain, key, id) }, signal())
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'forbidden', status: 403 });

    expect(await ann.client.updateShare({ id: share.id, role: 'editor' }, signal())).toMatchObject({
      role: 'editor',
    });
    const stored = await bob.client.putBlock(
      { namespace: share.namespace, id, encoded: encodeBlock(plain, key, id) },
      signal(),
    );
    expect(stored).toEqual({ id, stored: true });
    const notOwner = await bob.client
      .updateShare({ id: share.id, role: 'viewer' }, signal())
      .catch((error: unknown) => error);
    expect(notOwner).toMatchObject({ code: 'forbidden' });

    expect(await ann.client.deleteShare(share.id, signal())).toEqual({ id: share.id });
    expect(await bob.client.listShares(signal())).toEqual({ owned: [], received: [] });
    const gone = await bob.client
      .getNamespaceKey(share.namespace, signal())
      .catch((error: unknown) => error);
    expect(gone).toMatchObject({ code: 'forbidden' });
  });

  it('maps sharing twice with the same user to already_shared', async () => {
    await ann.client.createFolder('/Twice', signal());
    await ann.client.createShare({ path: '/Twice', email: bob.email, role: 'editor' }, signal());
    const again = await ann.client
      .createShare({ path: '/Twice', email: bob.email, role: 'viewer' }, signal())
      .catch((error: unknown) => error);
    expect(again).toMatchObject({ code: 'already_shared', status: 409 });
  });
});
