/**
 * Files and folders dropped anywhere on the window are copied into the synced folder (the
 * folder open in Files, else the top) and sync at once; "Add files" and "Add folder" do the
 * same from a picker. While something is dragged over the window an overlay says where it will
 * go; a toast shows the progress and the outcome.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { formatBytes } from '../../ui/format.js';
import { Icon } from '../../ui/icons.js';
import { filesOfDrop, filesOfInput, type DroppedFile } from './dropped-files.js';
import type { Importer } from './use-import.js';

/** Where drops go, and whether the user may write there. */
export interface DropTarget {
  readonly path: string;
  readonly canWrite: boolean;
}

/** Props of {@link DropZone}. */
export interface DropZoneProps {
  readonly importer: Importer;
  readonly target: DropTarget;
  readonly children: ComponentChildren;
}

const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') === true;

export function DropZone(props: DropZoneProps): JSX.Element {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const { progress, start, dismiss } = props.importer;
  const where = props.target.path === '/' ? 'your Ferry folder' : props.target.path;

  return (
    <div
      class="drop-root"
      onDragEnter={(event) => {
        if (!hasFiles(event)) return;
        depth.current += 1;
        setOver(true);
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDragOver={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        if (event.dataTransfer)
          event.dataTransfer.dropEffect = props.target.canWrite ? 'copy' : 'none';
      }}
      onDrop={(event) => {
        event.preventDefault();
        depth.current = 0;
        setOver(false);
        const transfer = event.dataTransfer;
        if (transfer === null || !props.target.canWrite) return;
        void filesOfDrop(transfer).then((files) => start(props.target.path, files));
      }}
    >
      {props.children}
      {over ? (
        <div class="drop-overlay" role="status">
          <div class="drop-card">
            <Icon name="upload" size={36} />
            <p>
              {props.target.canWrite
                ? `Drop to add to ${where}`
                : `${where} is shared with you as view only`}
            </p>
          </div>
        </div>
      ) : null}
      {progress === undefined ? null : (
        <div class="toast" role="status" aria-label="Adding files">
          <div class="grow">
            <p>
              <strong>
                {progress.error !== undefined
                  ? 'Some files were not added'
                  : progress.finished
                    ? `Added ${progress.filesTotal} ${progress.filesTotal === 1 ? 'file' : 'files'}`
                    : `Adding ${progress.filesDone + 1} of ${progress.filesTotal}…`}
              </strong>
            </p>
            <p class="muted">
              {progress.error ??
                `${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)} to ${progress.target === '/' ? 'your Ferry folder' : progress.target}`}
            </p>
            {progress.finished ? null : (
              <div class="progress" aria-hidden="true">
                <span
                  style={{
                    width: `${progress.bytesTotal === 0 ? 100 : (progress.bytesDone / progress.bytesTotal) * 100}%`,
                  }}
                />
              </div>
            )}
          </div>
          {progress.finished ? (
            <button class="icon-button" aria-label="Dismiss" onClick={dismiss}>
              ×
            </button>
          ) : null}
        </div>
      )}
    </div>
  );
}

/** "Add files" and "Add folder" buttons, for those who do not drag. */
export function AddButtons(props: { onPick: (files: DroppedFile[]) => void }): JSX.Element {
  const pick = (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    if (input.files !== null && input.files.length > 0) props.onPick(filesOfInput(input.files));
    input.value = '';
  };
  return (
    <div class="add-buttons">
      <label class="button">
        <Icon name="upload" /> Add files
        <input type="file" multiple class="visually-hidden" onChange={pick} />
      </label>
      <label class="button">
        <Icon name="folder" /> Add folder
        <input
          type="file"
          class="visually-hidden"
          onChange={pick}
          {...({ webkitdirectory: true } as Record<string, boolean>)}
        />
      </label>
    </div>
  );
}
