/**
 * Wire shapes of accounts and sessions: POST /auth/register, POST /auth/login, GET /account.
 */
import type { DeviceId, NamespaceId, UserId } from './ids.js';

/** POST /auth/register body. */
export interface RegisterRequest {
  readonly email: string;
  readonly password: string;
  readonly name: string;
}

/** POST /auth/register response (201). */
export interface RegisterResponse {
  readonly userId: UserId;
  /** The user's root namespace. */
  readonly rootNamespace: NamespaceId;
}

/** POST /auth/login body. */
export interface LoginRequest {
  readonly email: string;
  readonly password: string;
  /** Shown in revision history as the device that made a change. */
  readonly deviceName: string;
}

/** POST /auth/login response: a device session. `token` goes in `Authorization: Bearer`. */
export interface LoginResponse {
  readonly token: string;
  readonly deviceId: DeviceId;
  readonly userId: UserId;
  readonly rootNamespace: NamespaceId;
}

/** GET /account response. Bytes are plaintext bytes of the blocks the user's namespaces hold. */
export interface AccountResponse {
  readonly userId: UserId;
  readonly email: string;
  readonly name: string;
  readonly usedBytes: number;
  readonly quotaBytes: number;
  readonly rootNamespace: NamespaceId;
}
