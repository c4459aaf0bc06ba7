/**
 * The first run: sign this device in to an account, or create the account, and choose the
 * folder; then Ferry starts syncing and the window shows its status.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { EngineControl } from 'sync-engine/control';
import { useAction } from '../../ui/use-action.js';

/** Props of {@link FirstRunScreen}. */
export interface FirstRunScreenProps {
  readonly control: EngineControl;
  readonly onDone: () => Promise<void>;
}

type Mode = 'signin' | 'signup';

export function FirstRunScreen(props: FirstRunScreenProps): JSX.Element {
  const [mode, setMode] = useState<Mode>('signin');
  const [fields, setFields] = useState({
    serverUrl: 'http://127.0.0.1:8787',
    email: '',
    password: '',
    name: '',
    deviceName: '',
    folder: '',
  });
  const action = useAction(props.onDone);
  const field = (key: keyof typeof fields, label: string, type = 'text', hint?: string) => (
    <div class="field">
      <label for={`first-run-${key}`}>{label}</label>
      <input
        id={`first-run-${key}`}
        type={type}
        value={fields[key]}
        placeholder={hint}
        required={
          key === 'email' ||
          key === 'password' ||
          key === 'serverUrl' ||
          (key === 'name' && mode === 'signup')
        }
        autoComplete={
          key === 'password'
            ? mode === 'signup'
              ? 'new-password'
              : 'current-password'
            : key === 'email'
              ? 'email'
              : 'off'
        }
        onInput={(event) => {
          const value = event.currentTarget.value;
          setFields((old) => ({ ...old, [key]: value }));
        }}
      />
    </div>
  );
  const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());

  return (
    <main class="first-run">
      <form
        class="first-run-card"
        aria-labelledby="first-run-title"
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(() =>
            props.control.completeFirstRun({
              mode,
              serverUrl: fields.serverUrl.trim(),
              email: fields.email.trim(),
              password: fields.password,
              ...(mode === 'signup' ? { name: fields.name.trim() } : {}),
              ...(optional(fields.deviceName) === undefined
                ? {}
                : { deviceName: optional(fields.deviceName) }),
              ...(optional(fields.folder) === undefined ? {} : { folder: optional(fields.folder) }),
            }),
          );
        }}
      >
        <div class="brand">
          <img src="icon.svg" alt="" width={36} height={36} />
          <span>Ferry</span>
        </div>
        <h1 id="first-run-title">
          {mode === 'signin' ? 'Sign in to Ferry' : 'Create your Ferry account'}
        </h1>
        <p class="muted">
          Your folder stays in sync on every device you sign in, and with the people you share it
          with.
        </p>
        <div class="segmented" role="tablist" aria-label="Account">
          {(['signin', 'signup'] as const).map((choice) => (
            <button
              key={choice}
              type="button"
              role="tab"
              aria-selected={mode === choice}
              class={mode === choice ? 'selected' : ''}
              onClick={() => setMode(choice)}
            >
              {choice === 'signin' ? 'Sign in' : 'Create account'}
            </button>
          ))}
        </div>
        {field('serverUrl', 'Server', 'url')}
        {field('email', 'Email', 'email', 'you@example.com')}
        {field('password', 'Password', 'password')}
        {mode === 'signup'
          ? field('name', 'Your name', 'text', 'Shown to people you share with')
          : null}
        <details>
          <summary>This device</summary>
          {field('deviceName', 'Device name', 'text', 'The computer’s name')}
          {field('folder', 'Folder to sync', 'text', '~/Ferry')}
        </details>
        {action.error === undefined ? null : (
          <p class="notice error" role="alert">
            {action.error}
          </p>
        )}
        <button class="button primary wide" type="submit" disabled={action.busy}>
          {action.busy
            ? 'Signing in…'
            : mode === 'signin'
              ? 'Sign in'
              : 'Create account and sign in'}
        </button>
      </form>
    </main>
  );
}
