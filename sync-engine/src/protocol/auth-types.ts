/**
 * Wire shapes of accounts and device sessions: POST /auth/register, POST /auth/login,
 * POST /auth/logout, GET /devices, DELETE /devices/{id}, GET /account.
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

/**
 * One signed-in device of the caller, as GET /devices lists it. Never carries the token or
 * anything derived from it.
 */
export interface DeviceInfo {
  readonly id: DeviceId;
  /** The `deviceName` given at login; history and activity keep showing it after sign-out. */
  readonly name: string;
  /** When the device logged in, epoch ms. */
  readonly created: number;
  /**
   * When the server last saw a request with the device's token, epoch ms (written at most once
   * a minute). A device unseen for the server's idle expiry (default 90 days) is signed out.
   */
  readonly lastSeen: number;
  /** True for the device making this request. */
  readonly current: boolean;
}

/** GET /devices response: the caller's signed-in devices, oldest login first. */
export interface ListDevicesResponse {
  readonly devices: readonly DeviceInfo[];
}

/**
 * POST /auth/logout (no body) and DELETE /devices/{id} response: the device just signed out.
 * Its token is refused (401) from then on, and its open long-polls end with 401.
 */
export interface SignOutResponse {
  readonly deviceId: DeviceId;
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
