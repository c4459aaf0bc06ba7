/**
 * A request's quota reservation is a lease (quota-reservation.ts): it asks for a short expiry,
 * renews it while held and stops at release, so a crashed instance's hold lapses soon. The
 * store here records calls: what is under test is the reservation's timing, on fake timers.
 */
import type { NamespaceId, UserId } from 'sync-engine/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReserveQuotaInput } from '../metadata/quota-store.js';
import { QuotaReservation, REQUEST_LEASE_MS } from './quota-reservation.js';

const TTL_MS = 24 * 3600_000;
const NS = 'ns_a' as NamespaceId;

function recordingDeps() {
  const reserved: ReserveQuotaInput[] = [];
  const released: string[] = [];
  const deps = {
    store: {
      reserveQuota: async (input: ReserveQuotaInput) => {
        reserved.push(input);
        return { kind: 'reserved' as const };
      },
      releaseQuota: async (id: string) => {
        released.push(id);
      },
    },
    config: { uploadSessionTtlMs: TTL_MS },
    now: () => Date.now(),
  };
  return { deps, reserved, released };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a request reservation', () => {
  it('expires a lease after it is taken, not a session TTL', async () => {
    const { deps, reserved } = recordingDeps();
    const reservation = QuotaReservation.create(deps, { writerId: 'u' as UserId, label: '/a' });
    await reservation.ensure(NS, 1000);
    expect(reserved).toHaveLength(1);
    expect(reserved[0]!.expiresMs - reserved[0]!.nowMs).toBe(REQUEST_LEASE_MS);
    await reservation.release();
  });

  it('renews itself while held, asking for nothing more, and stops at release', async () => {
    const { deps, reserved, released } = recordingDeps();
    const reservation = QuotaReservation.create(deps, { writerId: 'u' as UserId, label: '/a' });
    await reservation.ensure(NS, 1000);
    await vi.advanceTimersByTimeAsync(REQUEST_LEASE_MS);
    // Renewed before each lease could run out: at a third and two thirds, and at the end.
    expect(reserved.map((r) => r.bytes)).toEqual([1000, 0, 0, 0]);
    for (const renewal of reserved.slice(1)) {
      expect(renewal).toMatchObject({ id: reservation.id, namespace: NS });
      expect(renewal.expiresMs - renewal.nowMs).toBe(REQUEST_LEASE_MS);
    }
    await reservation.release();
    await vi.advanceTimersByTimeAsync(REQUEST_LEASE_MS);
    expect(reserved).toHaveLength(4);
    expect(released).toEqual([reservation.id]);
  });

  it('is not a lease for a resumable session: the session TTL, no renewal', async () => {
    const { deps, reserved } = recordingDeps();
    const reservation = QuotaReservation.ofSession(deps, {
      id: 'session_1',
      userId: 'u' as UserId,
      userPath: '/big.bin',
    });
    await reservation.ensure(NS, 1000);
    await vi.advanceTimersByTimeAsync(REQUEST_LEASE_MS);
    expect(reserved).toHaveLength(1);
    expect(reserved[0]!.expiresMs - reserved[0]!.nowMs).toBe(TTL_MS);
  });
});
