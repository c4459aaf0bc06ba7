/**
 * The name a local version gets when the server's version keeps the path (SPEC "Conflicts"):
 * `name (conflicted copy from DEVICE YYYY-MM-DD HHMMSS).ext`, in the device's local time as
 * Dropbox does, so the user recognises when they made the edit.
 */
const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** Characters no file system accepts in a name, from the device name (a host name may hold any). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const UNSAFE_NAME_CHARACTERS = /[/\\:*?"<>|\u0000-\u001f]/g;

export function conflictedCopyPath(
  path: string,
  deviceName: string,
  atMs: number,
  attempt = 1,
): string {
  const slash = path.lastIndexOf('/');
  const folder = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  // The extension is what follows the last dot, unless the dot starts the name (".bashrc").
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const when = new Date(atMs);
  const stamp = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  const device = deviceName.replace(UNSAFE_NAME_CHARACTERS, '_').trim() || 'this device';
  const counter = attempt > 1 ? ` ${attempt}` : '';
  return `${folder}${stem} (conflicted copy from ${device} ${stamp}${counter})${extension}`;
}
