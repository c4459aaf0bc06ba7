/**
 * Sharing one folder: invite someone by email as editor or viewer, see who has access, change
 * a role or remove someone. A modal `<dialog>`: focus stays inside, Escape closes it.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { EngineControl, ShareInfo, ShareRole } from 'sync-engine/control';
import { baseName } from '../../ui/format.js';
import { useAction } from '../../ui/use-action.js';

/** Props of {@link ShareDialog}. */
export interface ShareDialogProps {
  readonly control: EngineControl;
  readonly path: string;
  readonly onClose: () => void;
}

/** A role's label in menus. */
export const ROLE_LABEL: Record<ShareRole, string> = { editor: 'Can edit', viewer: 'Can view' };

export function ShareDialog(props: ShareDialogProps): JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null);
  const [people, setPeople] = useState<readonly ShareInfo[]>([]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ShareRole>('editor');
  const reload = async (): Promise<void> => {
    const shares = await props.control.listShares();
    setPeople(shares.owned.filter((share) => share.path === props.path));
  };
  const action = useAction(reload);

  useEffect(() => {
    dialog.current?.showModal();
    void reload().catch(() => undefined);
  }, [props.path]);

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="share-title"
      onClose={props.onClose}
      onCancel={props.onClose}
    >
      <header class="side-header">
        <h2 id="share-title" class="grow">
          Share “{baseName(props.path)}”
        </h2>
        <button class="icon-button" aria-label="Close" onClick={() => dialog.current?.close()}>
          ×
        </button>
      </header>
      <form
        class="share-form"
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(async () => {
            await props.control.shareFolder(props.path, email.trim(), role);
            setEmail('');
          });
        }}
      >
        <div class="field grow">
          <label for="share-email">Email</label>
          <input
            id="share-email"
            type="email"
            required
            placeholder="name@example.com"
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="share-role">Access</label>
          <select
            id="share-role"
            value={role}
            onChange={(event) => setRole(event.currentTarget.value as ShareRole)}
          >
            <option value="editor">{ROLE_LABEL.editor}</option>
            <option value="viewer">{ROLE_LABEL.viewer}</option>
          </select>
        </div>
        <button class="button primary" type="submit" disabled={action.busy}>
          Share
        </button>
      </form>
      {action.error === undefined ? null : (
        <p class="notice error" role="alert">
          {action.error}
        </p>
      )}
      <h3 class="subhead">People with access</h3>
      {people.length === 0 ? (
        <p class="muted">Only you. Invite someone above.</p>
      ) : (
        <ul class="plain-list" aria-label="People with access">
          {people.map((share) => (
            <li key={share.id}>
              <span class="avatar" aria-hidden="true">
                {share.recipientEmail.slice(0, 1).toUpperCase()}
              </span>
              <span class="grow ellipsis">{share.recipientEmail}</span>
              <select
                aria-label={`Access of ${share.recipientEmail}`}
                value={share.role}
                disabled={action.busy}
                onChange={(event) => {
                  const next = event.currentTarget.value as ShareRole;
                  void action.run(() => props.control.changeShareRole(share.id, next));
                }}
              >
                <option value="editor">{ROLE_LABEL.editor}</option>
                <option value="viewer">{ROLE_LABEL.viewer}</option>
              </select>
              <button
                class="button subtle"
                aria-label={`Remove ${share.recipientEmail}`}
                disabled={action.busy}
                onClick={() => action.run(() => props.control.revokeShare(share.id))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </dialog>
  );
}
