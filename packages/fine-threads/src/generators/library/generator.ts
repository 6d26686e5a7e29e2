import type { Tree } from '@nx/devkit';
import { newCrateGenerator } from '../crate/generator';
import type { LibraryGeneratorSchema } from './schema';

/** `nx g fine-threads:library <name>`: a crate as `cargo new --lib` makes it, in the enclosing Cargo workspace. */
export async function libraryGenerator(tree: Tree, options: LibraryGeneratorSchema): Promise<void> {
  await newCrateGenerator(tree, options, 'lib');
}

export default libraryGenerator;
