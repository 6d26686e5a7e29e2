import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { binaryGenerator } from './generator';

// The common rules (members, names, directories) are specified in ../library/generator.spec.ts:
// both generators are the one in ../crate/generator.ts.
describe('binary generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.delete('.oxfmtrc.json');
  });

  it('lays the crate out as cargo new does: hello world in src/main.rs', async () => {
    tree.write('Cargo.toml', '[workspace]\nresolver = "2"\n# the crates\nmembers = ["crates/lib"]\n');
    tree.write('crates/lib/Cargo.toml', '[package]\nname = "lib"\nversion = "0.1.0"\n');
    await binaryGenerator(tree, { name: 'mybin', edition: 2024 });
    expect(tree.read('crates/mybin/Cargo.toml', 'utf8')).toBe('[package]\nname = "mybin"\nversion = "0.1.0"\nedition = "2024"\n\n[dependencies]\n');
    expect(tree.read('crates/mybin/src/main.rs', 'utf8')).toBe('fn main() {\n    println!("Hello, world!");\n}\n');
    expect(tree.exists('crates/mybin/src/lib.rs')).toBe(false);
    expect(tree.read('Cargo.toml', 'utf8')).toBe('[workspace]\nresolver = "2"\n# the crates\nmembers = ["crates/lib", "crates/mybin"]\n');
  });

  it('refuses a binary named like a cargo build directory', async () => {
    await expect(binaryGenerator(tree, { name: 'examples' })).rejects.toThrow("fine-threads: invalid crate name `examples`: it conflicts with cargo's build directory names");
  });
});
