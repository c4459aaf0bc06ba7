/**
 * Where the server keeps metadata: accounts, devices, namespaces and their keys, files and their
 * immutable versions, blocks, the per-namespace journal and activity. Async, so that a PostgreSQL
 * implementation can follow the SQLite one (SPEC "Scale-out"). Every method that writes several
 * rows does so in one transaction: a crash leaves all or none. No method takes an AbortSignal:
 * the signal of the request being served reaches the database contexts implicitly
 * (request-signal.ts), and a request whose client left starts no more statements.
 *
 * Implementations: SqliteMetadataStore (embedded default) and PostgresMetadataStore, one code
 * (sql/sql-metadata-store.ts) over their contexts; both pass metadata-store.contract.ts.
 */
import type { AccountStore } from './account-store.js';
import type { ActivityStore } from './activity-store.js';
import type { BlockMetadataStore } from './block-metadata-store.js';
import type { FileStore } from './file-store.js';
import type { QuotaStore } from './quota-store.js';
import type { ShareStore } from './share-store.js';
import type { UploadSessionStore } from './upload-session-store.js';

/** Every table group behind one handle. */
export interface MetadataStore
  extends
    AccountStore,
    BlockMetadataStore,
    FileStore,
    ActivityStore,
    UploadSessionStore,
    QuotaStore,
    ShareStore {
  /**
   * Resolves once every write this store committed before the call is durable against power
   * loss; the server answers a write only after it (http/durable-replies.ts). SQLite: one
   * fdatasync of the WAL shared by every caller waiting meanwhile (group commit), none when
   * nothing was written since the last. A store whose commits are durable when they return
   * (PostgreSQL with synchronous_commit on) resolves at once. Rejects when durability can no
   * longer be promised (a failed fsync), and keeps rejecting until the store is reopened.
   */
  durable(): Promise<void>;
  /** True when the database answers a trivial query now (for /healthz). */
  isHealthy(): Promise<boolean>;
  /** Closes the database; further calls fail. */
  close(): Promise<void>;
}
