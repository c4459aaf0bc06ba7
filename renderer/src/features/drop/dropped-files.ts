/**
 * The files of a drop (or of a file picker), with their paths relative to what was dropped:
 * a dropped folder is walked through the File and Directory Entries API, so `Photos/2026/a.jpg`
 * keeps its folders. Where a browser gives no entries, the plain file list is used.
 */

/** One file to import, and where it goes below the drop target. */
export interface DroppedFile {
  /** `a.txt` or `Photos/2026/a.jpg`: `/`-separated, no leading slash. */
  readonly relativePath: string;
  readonly file: File;
}

/** The files of a drop's DataTransfer, folders walked. */
export async function filesOfDrop(transfer: DataTransfer): Promise<DroppedFile[]> {
  const entries = [...transfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry());
  if (entries.length > 0 && entries.every((entry) => entry !== null)) {
    const found: DroppedFile[] = [];
    for (const entry of entries as FileSystemEntry[]) await walk(entry, '', found);
    return found;
  }
  return [...transfer.files].map((file) => ({ relativePath: file.name, file }));
}

/** The files an `<input type=file>` picked (with `webkitdirectory`: a folder, paths kept). */
export function filesOfInput(files: FileList): DroppedFile[] {
  return [...files].map((file) => ({
    relativePath: file.webkitRelativePath === '' ? file.name : file.webkitRelativePath,
    file,
  }));
}

async function walk(entry: FileSystemEntry, prefix: string, found: DroppedFile[]): Promise<void> {
  const relativePath = `${prefix}${entry.name}`;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    found.push({ relativePath, file });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 in Chromium) until it answers none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, `${relativePath}/`, found);
  }
}
