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
} from '../../../sync-engine/src/protocol/index.js';
import { seenSinceMs, signOutTopic } from '../auth/device-sessions.js';
import { ServerError } from '../errors.js';
import type { ServerContext } from '../server-context.js';
import { callerOf } from './authenticate.js';
import { authenticatedSchema, errorResponses } from './wire-schemas.js';

const common = authenticatedSchema('devices');

/** The fields a device is shown with: never its token or token hash. */
const deviceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created: { type: 'integer' },
    lastSeen: { type: 'integer' },
    current: { type: 'boolean' },
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

/** Signs `deviceId` out for the caller's user; 404 unless it is one of their signed-in devices. */
async function signOut(
  ctx: ServerContext,
  request: FastifyRequest,
  deviceId: DeviceId,
): Promise<SignOutResponse> {
  const { user } = callerOf(request);
  const nowMs = ctx.now();
  const revoked = await ctx.store.revokeDevice({
    userId: user.id,
    deviceId,
    seenSinceMs: seenSinceMs(nowMs, ctx.config.deviceIdleExpiryMs),
    nowMs,
  });
  // Another user's device, an expired or a signed-out one: the same answer as an unknown id.
  if (!revoked) throw new ServerError('not_found', `no such device: ${deviceId}`);
  await ctx.bus.publish({ topic: signOutTopic(revoked.id), seq: nowMs });
  return { deviceId: revoked.id };
}

export async function registerDeviceRoutes(app: FastifyInstance, ctx: ServerContext) {
  app.post<{ Body: unknown }>(
    '/auth/logout',
    {
      schema: {
        ...common,
        summary: 'Sign out the calling device: its token stops working at once',
        response: { 200: signOutSchema, ...errorResponses(400, 401) },
      },
    },
    async (request): Promise<SignOutResponse> => {
      // No body, or an empty JSON object; anything more is a mistake worth telling the client.
      const { body } = request;
      const isEmpty =
        body === undefined ||
        (typeof body === 'object' &&
          body !== null &&
          !Array.isArray(body) &&
          Object.keys(body).length === 0);
      if (!isEmpty) throw new ServerError('invalid_request', 'POST /auth/logout takes no body');
      return signOut(ctx, request, callerOf(request).device.id);
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
    async (request) => signOut(ctx, request, request.params.id),
  );
}
