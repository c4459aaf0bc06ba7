/**
 * Child process of outbox-crash.test.ts: queues changes as fast as it can and prints each
 * sequence number once its transaction has committed, until the test kills it with SIGKILL.
 * It never closes the database: the point is what survives an abrupt end.
 * Usage: node --import tsx outbox-crash.fixture.ts STATE_FILE
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { openClientState } from './client-state.js';

const statePath = process.argv[2];
if (statePath === undefined) throw new Error('usage: outbox-crash.fixture.ts STATE_FILE');
const state = openClientState(statePath);

const failing = state.outbox.enqueue({ kind: 'upload', path: '/locked.docx' }, 0);
state.outbox.fail(failing, { errorMessage: 'EBUSY: file is locked', nowMs: 0 });
process.stdout.write(`failed ${failing}\n`);

for (let index = 0; ; index += 1) {
  const seq = state.outbox.enqueue({ kind: 'upload', path: `/file-${index}.txt` }, index);
  // Printed only after enqueue returned, i.e. after the commit: every printed seq must survive.
  process.stdout.write(`queued ${seq}\n`);
  if (index % 20 === 0) await yieldToEventLoop();
}
