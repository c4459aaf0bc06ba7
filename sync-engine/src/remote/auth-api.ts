/**
 * Accounts and device sessions: POST /auth/register, /auth/login, /auth/logout, GET /devices,
 * DELETE /devices/{id}, GET /account (docs/protocol.md "Accounts and activity", "Devices").
 */
import type {
  AccountResponse,
  DeviceId,
  DeviceInfo,
  ListDevicesResponse,
  LoginRequest,
  LoginResponse,
  RegisterRequest,
  RegisterResponse,
  SignOutResponse,
} from '../protocol/index.js';
import type { HttpTransport } from './http-transport.js';
import {
  accountSchema,
  devicesSchema,
  loginSchema,
  registerSchema,
  signOutSchema,
} from './response-schemas.js';

export interface AuthApi {
  /**
   * Creates a user and their root namespace (201).
   * @throws RemoteError `email_taken`, `invalid_request` (password 8–1024 characters).
   */
  register(request: RegisterRequest, signal: AbortSignal): Promise<RegisterResponse>;
  /**
   * Starts a device session; the answer's `token` is what `createRemoteClient({ token })` takes.
   * @throws RemoteError `invalid_credentials`, or `rate_limited` with `retryAfterMs` after
   *   repeated failures.
   */
  login(request: LoginRequest, signal: AbortSignal): Promise<LoginResponse>;
  /**
   * Signs out this device: its token is refused from now on.
   * @throws RemoteError `unauthorized` when it was signed out already.
   */
  logout(signal: AbortSignal): Promise<SignOutResponse>;
  /** The user's signed-in devices, oldest login first (`current` marks this one). */
  listDevices(signal: AbortSignal): Promise<readonly DeviceInfo[]>;
  /**
   * Signs out one of the user's devices (this one included).
   * @throws RemoteError `not_found` for another user's, an unknown or a signed-out device.
   */
  signOutDevice(deviceId: DeviceId, signal: AbortSignal): Promise<SignOutResponse>;
  /** The account and its storage use (`usedBytes`, `quotaBytes`). */
  getAccount(signal: AbortSignal): Promise<AccountResponse>;
}

export function createAuthApi(transport: HttpTransport): AuthApi {
  return {
    register: (request, signal) =>
      transport.call<RegisterResponse>(
        {
          method: 'POST',
          path: '/auth/register',
          json: request,
          isAnonymous: true,
          what: `register ${request.email}`,
          signal,
        },
        registerSchema,
        [201],
      ),
    login: (request, signal) =>
      transport.call<LoginResponse>(
        {
          method: 'POST',
          path: '/auth/login',
          json: request,
          isAnonymous: true,
          what: `log in ${request.email}`,
          signal,
        },
        loginSchema,
      ),
    logout: (signal) =>
      transport.call<SignOutResponse>(
        { method: 'POST', path: '/auth/logout', what: 'log out', signal },
        signOutSchema,
      ),
    listDevices: async (signal) =>
      (
        await transport.call<ListDevicesResponse>(
          { method: 'GET', path: '/devices', what: 'list devices', signal },
          devicesSchema,
        )
      ).devices,
    signOutDevice: (deviceId, signal) =>
      transport.call<SignOutResponse>(
        {
          method: 'DELETE',
          path: `/devices/${encodeURIComponent(deviceId)}`,
          what: `sign out device ${deviceId}`,
          signal,
        },
        signOutSchema,
      ),
    getAccount: (signal) =>
      transport.call<AccountResponse>(
        { method: 'GET', path: '/account', what: 'read the account', signal },
        accountSchema,
      ),
  };
}
