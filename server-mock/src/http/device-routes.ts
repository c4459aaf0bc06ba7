/**
 * Device sessions: POST /auth/logout (sign out the calling device), GET /devices (the caller's
 * signed-in devices) and DELETE /devices/{id} (sign out one of them). A sign-out takes effect at
 * once: the store marks the device (its row stays, so history keeps its name), which also empties
 * the token lookup cache, and the bus tells the device's open long-polls to end (change-routes).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  DeviceId,
  DeviceInfo,
  ListDevicesResponse,
  SignOutResponse,
} from 'sync-engine/protocol';
import { seenSinceMs, signOutTopic } from '../auth/device-sessions.js';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { callerOf } from './authenticate.js';
import { authenticatedSchema, errorResponses } from './route-schemas.js';

const common = authenticatedSchema('devices');

/** The fields a device is shown with: never its token or token hash. */
const deviceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string', description: 'the deviceName given at login' },
    created: { type: 'integer', description: 'login time, epoch ms' },
    lastSeen: { type: 'integer', description: 'last request, epoch ms (at most a minute old)' },
    current: { type: 'boolean', description: 'the device making this request' },
  },
  required: ['id', 'name', 'created', 'lastSeen', 'current'],
  additionalProperties: false,
} as const;

const signOutSchema = {
  type: 'object',
  properties: { deviceId: { type: 'string' } },
  required: ['deviceId'],
  additionalProperties: false,
} as const;

/**
 * Signs `deviceId` out if it is one of the caller's signed-in devices, and tells its open
 * long-polls. Returns false when it is not (another user's, expired, already signed out).
 */
async function signOut(
  ctx: ServerContext,
  request: FastifyRequest,
  deviceId: DeviceId,
): Promise<boolean> {
  const { user } = callerOf(request);
  const nowMs = ctx.now();
  const revoked = await ctx.store.revokeDevice({
    userId: user.id,
    deviceId,
    seenSinceMs: seenSinceMs(nowMs, ctx.config.deviceIdleExpiryMs),
    nowMs,
  });
  if (!revoked) return false;
  await ctx.bus.publish({ topic: signOutTopic(revoked.id), seq: nowMs });
  return true;
}

/** An absent body, or an empty JSON object. */
function isEmptyBody(body: unknown): boolean {
  if (body === undefined) return true;
  return (
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    Object.keys(body).length === 0
  );
}

export async function registerDeviceRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.post<{ Body: unknown }>(
    '/auth/logout',
    {
      schema: {
        ...authenticatedSchema('auth'),
        summary: 'Sign out the calling device: its token stops working at once',
        response: { 200: signOutSchema, ...errorResponses(400, 401) },
      },
    },
    async (request): Promise<SignOutResponse> => {
      if (!isEmptyBody(request.body)) {
        throw new ServerError('invalid_request', 'POST /auth/logout takes no body');
      }
      const { device } = callerOf(request);
      // Signed out by another request since this one was authenticated: the token is dead.
      if (!(await signOut(ctx, request, device.id))) {
        throw new ServerError('unauthorized', 'this device was signed out; sign in again');
      }
      return { deviceId: device.id };
    },
  );

  app.get(
    '/devices',
    {
      schema: {
        ...common,
        summary: "The caller's signed-in devices, oldest login first",
        response: {
          200: {
            type: 'object',
            properties: { devices: { type: 'array', items: deviceSchema } },
            required: ['devices'],
            additionalProperties: false,
          },
          ...errorResponses(401),
        },
      },
    },
    async (request): Promise<ListDevicesResponse> => {
      const { user, device: current } = callerOf(request);
      const since = seenSinceMs(ctx.now(), ctx.config.deviceIdleExpiryMs);
      const devices = await ctx.store.listDevices(user.id, since);
      return {
        devices: devices.map((d): DeviceInfo => ({
          id: d.id,
          name: d.name,
          created: d.createdMs,
          lastSeen: d.lastSeenMs,
          current: d.id === current.id,
        })),
      };
    },
  );

  app.delete<{ Params: { id: DeviceId } }>(
    '/devices/:id',
    {
      schema: {
        ...common,
        summary: "Sign out one of the caller's devices (another user's device is 404)",
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
          required: ['id'],
        },
        response: { 200: signOutSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request): Promise<SignOutResponse> => {
      const { id } = request.params;
      // Another user's device, an expired or a signed-out one: the same answer as an unknown id.
      if (!(await signOut(ctx, request, id))) {
        throw new ServerError('not_found', `no such device: ${id}`);
      }
      return { deviceId: id };
    },
  );
}
