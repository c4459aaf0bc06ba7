/**
 * Which paths of a synced folder are not synced: the default ignores of SPEC "Client behaviour
 * details users expect" (editors' temp and lock files, OS litter), Ferry's own hidden folder, and
 * the user's `.ferryignore` (gitignore syntax, matched by the maintained `ignore` package rather
 * than a hand-written matcher: negation, anchoring, `**` and trailing-slash rules are subtle).
 */
import ignore from 'ignore';

/** Ferry's own folder inside a synced folder (temporary downloads, never synced). */
export const FERRY_INTERNAL_DIR = '.ferry';

/** The file in the synced folder's top level that holds the user's rules. */
export const FERRY_IGNORE_FILE = '.ferryignore';

/** Patterns ignored everywhere, whatever `.ferryignore` says. */
export const DEFAULT_IGNORE_PATTERNS: readonly string[] = [
  // Office lock files, LibreOffice lock files, generic temp files.
  '~$*',
  '.~lock.*#',
  '*.tmp',
  // macOS and Windows folder metadata.
  '.DS_Store',
  'Thumbs.db',
  // Ferry's own temporary files: never synced, whatever the user's rules say.
  `/${FERRY_INTERNAL_DIR}/`,
];

/** Decides whether a path (`/`-rooted, as in the trees) is left out of sync. */
export interface IgnoreRules {
  /** True when `path` (a folder when `isFolder`) or one of its ancestors is ignored. */
  isIgnored(path: string, isFolder: boolean): boolean;
}

/**
 * Rules from the text of `.ferryignore` (undefined when there is none). The defaults always
 * apply; Ferry's internal folder cannot be un-ignored by a `!` rule of the user.
 */
export function createIgnoreRules(ferryIgnoreText?: string): IgnoreRules {
  const defaults = ignore().add([...DEFAULT_IGNORE_PATTERNS]);
  const user = ignore().add(ferryIgnoreText ?? '');
  const internal = ignore().add(`/${FERRY_INTERNAL_DIR}/`);
  return {
    isIgnored(path, isFolder) {
      const relative = path.replace(/^\/+/, '') + (isFolder ? '/' : '');
      if (relative === '' || relative === '/') return false;
      if (internal.ignores(relative)) return true;
      return defaults.ignores(relative) || user.ignores(relative);
    },
  };
}
