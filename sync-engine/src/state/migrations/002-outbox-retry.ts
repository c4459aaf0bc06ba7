import type { Migration } from '../migrate.js';

/**
 * Version 2: retries for the outbox. A change that failed (server down, file locked, 5xx) stays
 * queued with an attempt count, the time of its next attempt and the last error, so a crash
 * does not reset the backoff and the tray can say why something is not syncing.
 */
const SQL = `
-- How many times the change was tried and failed; 0 while never tried.
ALTER TABLE outbox ADD COLUMN attempt_count INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0);
-- Epoch ms before which the change is not retried (exponential backoff, or the server's
-- Retry-After). 0 means due now.
ALTER TABLE outbox ADD COLUMN next_attempt_ms INTEGER NOT NULL DEFAULT 0;
-- The message of the last failure, for the user; never file contents or credentials.
ALTER TABLE outbox ADD COLUMN last_error TEXT;

-- Entries queued under version 1 were never tried: they are due from when they were queued.
UPDATE outbox SET next_attempt_ms = enqueued_ms;

-- "What is due now" reads the queue by next attempt time.
CREATE INDEX outbox_next_attempt ON outbox (next_attempt_ms);
`;

/** Schema version 2: outbox attempt count, next attempt time and last error. */
export const migration002OutboxRetry: Migration = {
  version: 2,
  name: 'outbox-retry',
  up(db) {
    db.exec(SQL);
  },
};
