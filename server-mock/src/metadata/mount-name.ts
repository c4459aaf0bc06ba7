/**
 * Names of share mounts in a recipient's root: `NAME`, else `NAME (2)`, `NAME (3)`, … A name
 * the server builds must obey the path rules names from users do (protocol/paths.ts: at most
 * 255 UTF-8 bytes per segment), so the base name is shortened to leave room for the suffix —
 * cut between user-perceived characters (grapheme clusters), so no character, emoji sequence or
 * combining mark is split.
 */
import { MAX_SEGMENT_BYTES, parsePath } from 'sync-engine/protocol';

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest prefix of `text` of whole grapheme clusters within `maxBytes` UTF-8 bytes. */
export function truncateToBytes(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  let kept = '';
  let keptBytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = byteLength(segment);
    if (keptBytes + size > maxBytes) break;
    kept += segment;
    keptBytes += size;
  }
  return kept;
}

/**
 * Candidate `n` (1 for the plain name) of a mount named after the folder `name` (a valid
 * segment): `name`, or `name (n)` with `name` shortened so the whole stays a valid segment.
 */
export function mountNameCandidate(name: string, n: number): string {
  if (n <= 1) return name;
  const suffix = ` (${n})`;
  const candidate = `${truncateToBytes(name, MAX_SEGMENT_BYTES - byteLength(suffix))}${suffix}`;
  // A cut NFC string stays NFC, and the suffix is ASCII; checked anyway, as for user names.
  const parsed = parsePath(`/${candidate}`);
  if (!parsed.ok) throw new Error(`mount name candidate is invalid: ${parsed.message}`);
  return parsed.path.slice(1);
}
