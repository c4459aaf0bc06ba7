/**
 * Names that sync but will not work on every device's file system (SPEC: "Names that are
 * invalid on another OS … and case-only collisions are detected and reported, never silently
 * lost"). Pure: the scanner reports these as problems and still syncs the file between the
 * devices whose file systems accept it.
 */

/** Why a name is not portable to every operating system Ferry runs on. */
export type NonPortableReason =
  /** CON, PRN, AUX, NUL, COM1–9, LPT1–9, with or without an extension (Windows). */
  | 'windows_reserved_name'
  /** A trailing dot or space (Windows drops them: two names become one). */
  | 'trailing_dot_or_space'
  /** One of `: * ? " < > |` (refused by Windows; `:` is also special on macOS). */
  | 'windows_invalid_character';

// Windows reserves these device names in any case, also before an extension (`nul.txt`), and
// also with the superscript digits ¹²³ (COM¹).
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const INVALID_CHARACTERS = /[:*?"<>|]/;

/** Why `name` (one path segment) is not portable, or undefined when it is. */
export function nonPortableReason(name: string): NonPortableReason | undefined {
  if (RESERVED.test(name)) return 'windows_reserved_name';
  if (/[. ]$/.test(name)) return 'trailing_dot_or_space';
  if (INVALID_CHARACTERS.test(name)) return 'windows_invalid_character';
  return undefined;
}

/**
 * Names in one folder that only differ by case (`Readme.md` beside `README.md`): on a
 * case-insensitive file system (Windows, macOS by default) only one of them can exist. Returns
 * the groups of two or more, each sorted; names are compared after NFC normalisation.
 */
export function caseOnlyTwins(names: readonly string[]): string[][] {
  const byFolded = new Map<string, Set<string>>();
  for (const name of names) {
    const nfc = name.normalize('NFC');
    const folded = nfc.toLocaleLowerCase('en-US');
    let group = byFolded.get(folded);
    if (!group) byFolded.set(folded, (group = new Set()));
    group.add(nfc);
  }
  return [...byFolded.values()].filter((g) => g.size > 1).map((g) => [...g].sort());
}
