import { describe, expect, it } from 'vitest';
import { createIgnoreRules } from './ignore-rules.js';

describe('ignore rules', () => {
  const defaults = createIgnoreRules();

  it.each([
    ['/~$report.docx', false],
    ['/docs/.~lock.plan.odt#', false],
    ['/build/cache.tmp', false],
    ['/photos/.DS_Store', false],
    ['/photos/Thumbs.db', false],
    ['/.ferry', true],
    ['/.ferry/downloads/part-1', false],
  ])('ignores %s by default', (path, isFolder) => {
    expect(defaults.isIgnored(path, isFolder)).toBe(true);
  });

  it.each([
    ['/report.docx', false],
    ['/docs/plan.odt', false],
    ['/tmp', true],
    ['/a/.ferry', true],
    ['/.ferryignore', false],
  ])('keeps %s by default', (path, isFolder) => {
    expect(defaults.isIgnored(path, isFolder)).toBe(false);
  });

  it('applies .ferryignore in gitignore syntax: anchors, folders, globs and negation', () => {
    const rules = createIgnoreRules(
      ['# build output', '/build/', 'node_modules/', '*.log', '!keep.log', 'secret/**/*.key'].join(
        '\n',
      ),
    );
    expect(rules.isIgnored('/build', true)).toBe(true);
    expect(rules.isIgnored('/build/app.js', false)).toBe(true);
    expect(rules.isIgnored('/src/build', true)).toBe(false);
    expect(rules.isIgnored('/web/node_modules', true)).toBe(true);
    expect(rules.isIgnored('/web/node_modules/x/index.js', false)).toBe(true);
    expect(rules.isIgnored('/logs/today.log', false)).toBe(true);
    expect(rules.isIgnored('/logs/keep.log', false)).toBe(false);
    expect(rules.isIgnored('/secret/a/b/id.key', false)).toBe(true);
    expect(rules.isIgnored('/secret/id.pub', false)).toBe(false);
  });

  it("cannot un-ignore Ferry's own folder", () => {
    const rules = createIgnoreRules('!/.ferry/\n!.ferry\n!*');
    expect(rules.isIgnored('/.ferry', true)).toBe(true);
    expect(rules.isIgnored('/.ferry/x', false)).toBe(true);
  });

  it('never ignores the root itself', () => {
    expect(createIgnoreRules('*').isIgnored('/', true)).toBe(false);
  });
});
