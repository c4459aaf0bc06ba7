/**
 * When a device session ends: signed out (POST /auth/logout, DELETE /devices/{id}), or idle for
 * longer than `deviceIdleExpiryMs`. Expiry is computed from the device's last-seen time, not
 * stored, so it holds on every instance without a sweep; a sign-out is announced on the
 * notification bus so that the device's open long-polls end on whichever instance holds them.
 */
import type { DeviceId } from 'sync-engine/protocol';
import type { DeviceRecord } from '../metadata/records.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The bus topic announcing that `deviceId` was signed out. Its own prefix, so it never meets a
 * namespace topic (namespace ids start `ns_`).
 */
export function signOutTopic(deviceId: DeviceId): string {
  return `signed-out:${deviceId}`;
}

/** The oldest last-seen time (epoch ms) of a device still signed in; 0 when nothing expires. */
export function seenSinceMs(nowMs: number, idleExpiryMs: number): number {
  return idleExpiryMs > 0 ? Math.max(0, nowMs - idleExpiryMs) : 0;
}

/** True when `device` has not been seen within `idleExpiryMs` of `nowMs`. */
export function isIdleExpired(device: DeviceRecord, nowMs: number, idleExpiryMs: number): boolean {
  return device.lastSeenMs < seenSinceMs(nowMs, idleExpiryMs);
}

/** "30 days", "36 hours": the idle expiry as the 401 message names it. */
export function describeIdleExpiry(idleExpiryMs: number): string {
  const days = idleExpiryMs / DAY_MS;
  if (Number.isInteger(days)) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.round(idleExpiryMs / (60 * 60 * 1000));
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}
