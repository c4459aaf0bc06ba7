/**
 * Accounts, devices, namespaces and namespace keys: the identity half of the metadata store.
 */
import type { DeviceId, NamespaceId, UserId } from 'sync-engine/protocol';
import type { DeviceRecord, NamespaceRecord, UserRecord } from './records.js';

export interface CreateUserInput {
  readonly id: UserId;
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly quotaBytes: number;
  /** The user's root namespace and its data key, wrapped by the master key. */
  readonly rootNamespace: NamespaceId;
  readonly wrappedKey: Uint8Array;
  readonly nowMs: number;
}

export interface CreateDeviceInput {
  readonly id: DeviceId;
  readonly userId: UserId;
  readonly name: string;
  /** SHA-256 of the bearer token; the token itself is never stored. */
  readonly tokenHash: Uint8Array;
  readonly nowMs: number;
}

export interface RevokeDeviceInput {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  /** Devices last seen before this (epoch ms) count as expired already: not revoked again. */
  readonly seenSinceMs: number;
  readonly nowMs: number;
}

export interface AccountStore {
  /** Creates a user with their root namespace and its key; `email_taken` when the email exists. */
  createUser(input: CreateUserInput): Promise<UserRecord | 'email_taken'>;
  getUser(id: UserId): Promise<UserRecord | undefined>;
  /** Looks up by email, case-insensitively. */
  getUserByEmail(email: string): Promise<UserRecord | undefined>;
  setUserQuota(id: UserId, quotaBytes: number): Promise<void>;
  createDevice(input: CreateDeviceInput): Promise<DeviceRecord>;
  /**
   * The signed-in device holding this token hash, with its user; `undefined` for unknown tokens
   * and signed-out devices. Idle expiry is the caller's to check (from `lastSeenMs`).
   */
  findDeviceByTokenHash(
    tokenHash: Uint8Array,
  ): Promise<{ device: DeviceRecord; user: UserRecord } | undefined>;
  /** The device, signed in or out (`revokedMs`); `undefined` when there is no such device. */
  getDevice(id: DeviceId): Promise<DeviceRecord | undefined>;
  /**
   * The user's signed-in devices seen at or after `seenSinceMs` (older ones are idle-expired),
   * oldest login first.
   */
  listDevices(userId: UserId, seenSinceMs: number): Promise<DeviceRecord[]>;
  /**
   * Signs the device out, in one statement: only when it belongs to `userId`, is signed in and
   * was seen at or after `seenSinceMs`. Returns the signed-out device, or `undefined` when there
   * was no such device (another user's device is answered the same way). The row stays, so
   * history keeps the device's name.
   */
  revokeDevice(input: RevokeDeviceInput): Promise<DeviceRecord | undefined>;
  /** Records that the device was seen (throttled by callers; cheap). No-op once signed out. */
  touchDevice(id: DeviceId, nowMs: number): Promise<void>;
  getNamespace(id: NamespaceId): Promise<NamespaceRecord | undefined>;
  /** Several namespaces at once, keyed by id; unknown ids are absent from the map. */
  getNamespaces(ids: readonly NamespaceId[]): Promise<Map<NamespaceId, NamespaceRecord>>;
  /** Creates a shared namespace owned by `ownerId`, with its wrapped key. */
  createNamespace(input: {
    id: NamespaceId;
    ownerId: UserId;
    wrappedKey: Uint8Array;
    nowMs: number;
  }): Promise<NamespaceRecord>;
  /** The namespace's data key, wrapped by the master key. */
  getWrappedKey(id: NamespaceId): Promise<Uint8Array | undefined>;
  /** Plaintext bytes of the blocks held by every namespace `userId` owns. */
  usedBytesOf(userId: UserId): Promise<number>;
}
