/**
 * Every MetadataStore method filed by what it does (see METHOD_KINDS).
 */
import type { MetadataStore } from './metadata-store.js';

/**
 * What each method of the store is, a table over every method, so that a method added to
 * MetadataStore does not compile until it is filed here (the read cache and the journal's
 * wake-ups, journaled-writes.ts, both go by it):
 * - `cached`: a small answer asked on (nearly) every request, kept until the next write;
 * - `read`: not cached, and not a write either. `getDevice` is the sign-out check of an open
 *   long-poll: it must see a sign-out at once, so it never reads a cached answer. `durable`
 *   writes nothing: it waits for earlier writes to become durable;
 * - `write`: changes something; the cache empties before and after it runs.
 */
export const METHOD_KINDS = {
  createUser: 'write',
  getUser: 'cached',
  getUserByEmail: 'cached',
  setUserQuota: 'write',
  createDevice: 'write',
  findDeviceByTokenHash: 'cached',
  getDevice: 'read',
  listDevices: 'read',
  revokeDevice: 'write',
  touchDevice: 'write',
  getNamespace: 'cached',
  getNamespaces: 'cached',
  createNamespace: 'write',
  getWrappedKey: 'cached',
  usedBytesOf: 'cached',
  findMissingBlocks: 'read',
  recordBlock: 'write',
  getBlock: 'read',
  getBlocks: 'read',
  touchBlocks: 'write',
  setBlockTier: 'write',
  listUnreferencedBlocks: 'read',
  listColdCandidates: 'read',
  forgetUnreferencedBlock: 'write',
  hasBlock: 'read',
  createUploadSession: 'write',
  getUploadSession: 'read',
  setUploadReceived: 'write',
  deleteUploadSession: 'write',
  listExpiredUploadSessions: 'read',
  reserveQuota: 'write',
  releaseQuota: 'write',
  reservedBytesOf: 'read',
  expireQuotaReservations: 'write',
  listBlocksUnder: 'read',
  listBlocksOf: 'read',
  beginFolderConversion: 'write',
  pinConvertedBlock: 'write',
  convertFolderToNamespace: 'write',
  convertNamespaceToFolder: 'write',
  abandonFolderConversion: 'write',
  abandonIdleFolderConversions: 'write',
  countShares: 'read',
  createShare: 'write',
  getShare: 'read',
  listShares: 'read',
  updateShareRole: 'write',
  deleteShare: 'write',
  mountPathOf: 'read',
  getEntry: 'cached',
  getEntryOrTombstone: 'read',
  listFilesAt: 'read',
  listEntries: 'read',
  listMounts: 'cached',
  commitFile: 'write',
  commitFiles: 'write',
  announceFile: 'write',
  getAnnouncedBlocks: 'read',
  createFolder: 'write',
  deleteEntry: 'write',
  moveEntry: 'write',
  listVersions: 'read',
  getVersion: 'read',
  readChangeSnapshot: 'read',
  readJournal: 'read',
  pruneJournal: 'write',
  listFilesWithHistory: 'read',
  listVersionTimes: 'read',
  dropVersions: 'write',
  expirePendingFiles: 'write',
  listEvents: 'read',
  durable: 'read',
  isHealthy: 'read',
  close: 'write',
} as const satisfies Record<keyof MetadataStore, 'cached' | 'read' | 'write'>;

/** The methods filed as writes. */
export type WriteMethod = {
  [M in keyof typeof METHOD_KINDS]: (typeof METHOD_KINDS)[M] extends 'write' ? M : never;
}[keyof typeof METHOD_KINDS];
