/**
 * The first run in the browser: `ferry sync --ui-port N` on a home without a device serves the
 * window at once, where the person signs in (or creates the account) instead of typing
 * `ferry login`. Until then every EngineControl method answers `not_signed_in` and the window
 * shows its first-run form; `completeFirstRun` signs the device in as `ferry signup`/`login`
 * would (signInDevice), and the engine started afterwards takes over the same control server.
 */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  ControlError,
  CONTROL_ROUTES,
  type Engine,
  type EngineControl,
  type EngineStatus,
} from 'sync-engine';
import type { FirstRunRequest } from 'sync-engine/control';
import type { DeviceConfig } from '../config/device-home.js';
import { withRemote } from './command-context.js';
import { deviceNameOf, signInDevice } from './sign-in.js';

/** An EngineControl that stands in for the engine until `attach` hands it one. */
export interface WaitingControl {
  readonly control: EngineControl;
  /** Resolves with the signed-in device (and the folder chosen) once the first run succeeded. */
  readonly signedIn: Promise<{ config: DeviceConfig; folder: string }>;
  /** From now on every call goes to `engine`; `status` is what completeFirstRun answers. */
  attach(engine: Engine): void;
  /** The engine's zip downloads, once there is an engine (none before). */
  readonly openZipDownload: Engine['openZipDownload'];
  /** The engine could not start after the sign-in: the waiting first run fails with this. */
  fail(error: unknown): void;
}

/** Options of {@link createWaitingControl}. */
export interface WaitingControlOptions {
  readonly home: string;
  /** The `--folder` given on the command line, which the form's own folder overrides. */
  readonly folderFlag?: string;
}

export function createWaitingControl(options: WaitingControlOptions): WaitingControl {
  let engine: Engine | undefined;
  let started:
    { resolve: (status: EngineStatus) => void; reject: (error: unknown) => void } | undefined;
  let finish!: (result: { config: DeviceConfig; folder: string }) => void;
  const signedIn = new Promise<{ config: DeviceConfig; folder: string }>((resolve) => {
    finish = resolve;
  });
  let busy = false;

  const completeFirstRun = async (request: FirstRunRequest): Promise<EngineStatus> => {
    if (engine !== undefined) {
      throw new ControlError('already_signed_in', 'this device is signed in already');
    }
    if (busy) throw new ControlError('invalid_request', 'a sign-in is already under way');
    busy = true;
    try {
      const folder = request.folder ?? options.folderFlag ?? path.join(homedir(), 'Ferry');
      // Before signing in: a folder that cannot be made must not leave a device behind.
      await mkdir(folder, { recursive: true }).catch((error: unknown) => {
        throw new ControlError(
          'invalid_request',
          `${folder} cannot be the Ferry folder (${(error as { code?: string }).code ?? 'error'})`,
        );
      });
      const config = await signIn(options.home, request);
      const status = new Promise<EngineStatus>((resolve, reject) => {
        started = { resolve, reject };
      });
      finish({ config, folder });
      return await status;
    } finally {
      busy = false;
    }
  };

  const notYet = async (): Promise<never> => {
    throw new ControlError(
      'not_signed_in',
      'this device is not signed in yet: sign in or create an account',
    );
  };
  const delegate = Object.fromEntries(
    (Object.keys(CONTROL_ROUTES) as (keyof EngineControl)[]).map((method) => [
      method,
      (...args: unknown[]) =>
        engine === undefined
          ? method === 'completeFirstRun'
            ? completeFirstRun(args[0] as FirstRunRequest)
            : notYet()
          : (engine[method] as (...a: unknown[]) => Promise<unknown>)(...args),
    ]),
  ) as unknown as EngineControl;

  return {
    control: delegate,
    signedIn,
    openZipDownload: async (ticket, signal) => engine?.openZipDownload(ticket, signal),
    attach: (next) => {
      engine = next;
      void next.getStatus().then((status) => started?.resolve(status));
    },
    fail: (error) => {
      const what = error instanceof Error ? error.message : String(error);
      started?.reject(
        new ControlError('internal_error', `signed in, but syncing could not start: ${what}`),
      );
    },
  };
}

/** Signs the device in, creating the account first for `signup`; refusals become sentences. */
async function signIn(home: string, request: FirstRunRequest): Promise<DeviceConfig> {
  const { serverUrl, email, password } = request;
  try {
    if (request.mode === 'signup') {
      await withRemote({ serverUrl }, (remote, signal) =>
        remote.register({ email, password, name: request.name ?? email }, signal),
      );
    }
    return await signInDevice({
      home,
      serverUrl,
      email,
      password,
      deviceName: deviceNameOf(request.deviceName),
    });
  } catch (error) {
    throw firstRunError(error);
  }
}

function firstRunError(error: unknown): ControlError {
  const { code, serverMessage } = error as { code?: unknown; serverMessage?: unknown };
  switch (code) {
    case 'invalid_credentials':
      return new ControlError('server_refused', 'Wrong email or password.', { cause: error });
    case 'network_error':
    case 'timeout':
    case 'tls_error':
    case 'unavailable':
      return new ControlError('offline', 'The server cannot be reached at that address.', {
        cause: error,
      });
    default: {
      const reason = typeof serverMessage === 'string' && serverMessage !== '' ? serverMessage : '';
      return new ControlError(
        'server_refused',
        reason === '' ? `The server refused (${String(code)}).` : `The server refused: ${reason}`,
        { cause: error },
      );
    }
  }
}
