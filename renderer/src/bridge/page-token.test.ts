import { describe, expect, it } from 'vitest';
import { takePageToken, type PageTokenSource } from './page-token.js';

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';

function page(hash: string, stored: string | null = null) {
  const storage = new Map<string, string>(stored === null ? [] : [['ferry.controlToken', stored]]);
  const replaced: string[] = [];
  const source: PageTokenSource = {
    location: { hash, pathname: '/', search: '' },
    storage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
    },
    replaceUrl: (url) => void replaced.push(url),
  };
  return { source, storage, replaced };
}

describe('takePageToken', () => {
  it('takes the token from the fragment, keeps it for reloads and clears the address', () => {
    const { source, storage, replaced } = page(`#token=${TOKEN}`);
    expect(takePageToken(source)).toBe(TOKEN);
    expect(storage.get('ferry.controlToken')).toBe(TOKEN);
    expect(replaced).toEqual(['/']);
  });

  it('falls back to the stored token after a reload', () => {
    const { source, replaced } = page('', TOKEN);
    expect(takePageToken(source)).toBe(TOKEN);
    expect(replaced).toEqual([]);
  });

  it.each([
    '#token=short',
    '#token=has space aaaaaaaaaaaaaaaa',
    '#token=<script>aaaaaaaaaaaaa',
    '#x=1',
  ])('ignores a malformed fragment %s', (hash) => {
    const { source, storage, replaced } = page(hash);
    expect(takePageToken(source)).toBeUndefined();
    expect(storage.size).toBe(0);
    expect(replaced).toEqual([]);
  });

  it('ignores a tampered stored token', () => {
    expect(takePageToken(page('', 'bad token').source)).toBeUndefined();
  });
});
