import { excludedBy, memberCovers, membersParent, type CargoWorkspace } from './cargo-workspace';

const ws = (members: string[], exclude: string[] = []): CargoWorkspace => ({ dir: '', manifestPath: 'Cargo.toml', members, exclude, packageKeys: [], hasLints: false });

describe('member patterns, as cargo expands them', () => {
  it.each([
    ['crates/*', 'crates/a', true],
    ['crates/*', 'crates/a/b', false],
    ['./crates/*/', 'crates/a', true],
    ['crates/**', 'crates/a/b', true],
    ['**/b', 'crates/a/b', true],
    ['crates/a?', 'crates/ab', true],
    ['crates/a?', 'crates/a', false],
    ['crates/[ab]*', 'crates/bee', true],
    ['crates/[!ab]*', 'crates/bee', false],
    ['crates/a.b', 'crates/aXb', false],
    ['crates/a', 'crates/a', true],
    ['crates', 'crates/a', false],
  ])('%s covers %s: %s', (member, path, covers) => {
    expect(memberCovers(member, path)).toBe(covers);
  });

  it('finds where members live', () => {
    expect(membersParent(ws(['crates/*', 'tools/x']))).toBe('crates');
    expect(membersParent(ws(['libs/a', 'libs/b', 'bins/c']))).toBe('libs');
    expect(membersParent(ws(['a', 'b']))).toBe('');
    expect(membersParent(ws(['.', '../outside/x']))).toBe('');
    expect(membersParent(ws([]))).toBe('');
  });

  it('excludes by path prefix, component by component, unless a member names it', () => {
    expect(excludedBy(ws([], ['old']), 'old/x')).toBe('old');
    expect(excludedBy(ws([], ['old']), 'older/x')).toBeUndefined();
    expect(excludedBy(ws(['old/x'], ['old']), 'old/x')).toBeUndefined();
  });
});
