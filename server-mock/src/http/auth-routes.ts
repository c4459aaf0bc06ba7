/**
 * POST /auth/register and POST /auth/login: accounts and device sessions. Passwords are hashed
 * with scrypt; tokens are returned once and stored hashed; failed logins are rate-limited per
 * email and IP address. Signing out (POST /auth/logout) needs a token, so it is in
 * device-routes.ts, behind authentication.
 */
import type { FastifyInstance } from 'fastify';
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  type DeviceId,
  type LoginRequest,
  type LoginResponse,
  type NamespaceId,
  type RegisterRequest,
  type RegisterResponse,
  type UserId,
} from 'sync-engine/protocol';
import { createBearerToken, hashBearerToken } from '../auth/bearer-tokens.js';
import { hashPassword, verifyPassword } from '../auth/password-hashing.js';
import { ServerError } from '../errors.js';
import { createId } from '../new-ids.js';
import type { ServerContext } from '../server-context.js';
import { errorResponses } from './route-schemas.js';

const emailSchema = {
  type: 'string',
  minLength: 3,
  maxLength: 254,
  pattern: '^[^@\\s]+@[^@\\s]+$',
};
const passwordSchema = {
  type: 'string',
  minLength: MIN_PASSWORD_LENGTH,
  maxLength: MAX_PASSWORD_LENGTH,
};
const nameSchema = { type: 'string', minLength: 1, maxLength: 200 };

export async function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext) {
  // Verified against when the email is unknown, so both failures take the same time.
  const dummyHash = await hashPassword('ferry-dummy-password', ctx.config.scryptCost);

  app.post<{ Body: RegisterRequest }>(
    '/auth/register',
    {
      schema: {
        summary: 'Create a user and their root namespace',
        tags: ['auth'],
        body: {
          type: 'object',
          properties: { email: emailSchema, password: passwordSchema, name: nameSchema },
          required: ['email', 'password', 'name'],
          additionalProperties: false,
        },
        response: {
          201: {
            type: 'object',
            properties: { userId: { type: 'string' }, rootNamespace: { type: 'string' } },
            required: ['userId', 'rootNamespace'],
          },
          ...errorResponses(400, 409),
        },
      },
    },
    async (request, reply): Promise<RegisterResponse> => {
      const { email, password, name } = request.body;
      const userId = createId<UserId>('user');
      const rootNamespace = createId<NamespaceId>('namespace');
      const { wrapped } = ctx.keyring.createKey(rootNamespace);
      const created = await ctx.store.createUser({
        id: userId,
        email,
        name,
        passwordHash: await hashPassword(password, ctx.config.scryptCost),
        quotaBytes: ctx.config.defaultQuotaBytes,
        rootNamespace,
        wrappedKey: wrapped,
        nowMs: ctx.now(),
      });
      if (created === 'email_taken') {
        throw new ServerError('email_taken', 'an account with this email already exists');
      }
      reply.code(201);
      return { userId: created.id, rootNamespace: created.rootNamespace };
    },
  );

  app.post<{ Body: LoginRequest }>(
    '/auth/login',
    {
      schema: {
        summary: 'Start a device session',
        tags: ['auth'],
        body: {
          type: 'object',
          properties: {
            email: emailSchema,
            password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH },
            deviceName: nameSchema,
          },
          required: ['email', 'password', 'deviceName'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              token: { type: 'string' },
              deviceId: { type: 'string' },
              userId: { type: 'string' },
              rootNamespace: { type: 'string' },
            },
            required: ['token', 'deviceId', 'userId', 'rootNamespace'],
          },
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request): Promise<LoginResponse> => {
      const { email, password, deviceName } = request.body;
      const limitKey = `${email.toLowerCase()}|${request.ip}`;
      const retryAfterMs = ctx.loginLimiter.retryAfterMs(limitKey, ctx.now());
      if (retryAfterMs > 0) {
        throw new ServerError('rate_limited', 'too many failed logins; try again later', {
          retryAfterMs,
        });
      }
      const user = await ctx.store.getUserByEmail(email);
      const isValid = await verifyPassword(password, user?.passwordHash ?? dummyHash);
      if (!user || !isValid) {
        ctx.loginLimiter.recordFailure(limitKey, ctx.now());
        throw new ServerError('invalid_credentials', 'wrong email or password');
      }
      ctx.loginLimiter.recordSuccess(limitKey);
      const token = createBearerToken();
      const device = await ctx.store.createDevice({
        id: createId<DeviceId>('device'),
        userId: user.id,
        name: deviceName,
        tokenHash: hashBearerToken(token),
        nowMs: ctx.now(),
      });
      return { token, deviceId: device.id, userId: user.id, rootNamespace: user.rootNamespace };
    },
  );
}
