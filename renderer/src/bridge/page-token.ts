/**
 * The control API's access token as the browser page receives it: in the `#token=` fragment of
 * the address `ferry sync --ui-port` prints. A fragment is never sent to a server nor in a
 * Referer. The page keeps it in this tab's sessionStorage and takes it out of the address bar,
 * so a reload still works and a screenshot or a copied address does not carry it.
 */

const STORAGE_KEY = 'ferry.controlToken';
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,512}$/;

/** What {@link takePageToken} needs from the page (window's parts, for tests). */
export interface PageTokenSource {
  readonly location: { readonly hash: string; readonly pathname: string; readonly search: string };
  readonly storage: Pick<Storage, 'getItem' | 'setItem'>;
  readonly replaceUrl: (url: string) => void;
}

/** The token from the fragment (then stored and removed from the address), else the stored one. */
export function takePageToken(page: PageTokenSource): string | undefined {
  const fromHash = new URLSearchParams(page.location.hash.replace(/^#/, '')).get('token');
  if (fromHash !== null && TOKEN_PATTERN.test(fromHash)) {
    page.storage.setItem(STORAGE_KEY, fromHash);
    page.replaceUrl(`${page.location.pathname}${page.location.search}`);
    return fromHash;
  }
  const stored = page.storage.getItem(STORAGE_KEY);
  return stored !== null && TOKEN_PATTERN.test(stored) ? stored : undefined;
}
