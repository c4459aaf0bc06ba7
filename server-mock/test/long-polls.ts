/**
 * Knowing that the server really holds a long-poll (it is subscribed and waiting) before a test
 * makes the change that should wake it: the `ferry_longpolls_active` gauge of /metrics.
 */
import { waitUntil } from 'sync-engine/testkit';
import type { TestServer } from './test-server.js';

/** True when `server` holds exactly `count` long-polls open. */
export async function holdsLongPolls(server: TestServer, count: number): Promise<boolean> {
  const res = await server.request('GET', '/metrics');
  return new RegExp(`^ferry_longpolls_active ${count}$`, 'm').test(String(res.body));
}

/** Waits until `server` holds exactly `count` long-polls open. */
export async function waitForLongPolls(server: TestServer, count: number): Promise<void> {
  await waitUntil(() => holdsLongPolls(server, count), {
    what: `${count} open long-poll(s)`,
  });
}
