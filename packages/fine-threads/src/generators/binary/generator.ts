import type { Tree } from '@nx/devkit';
import { newCrateGenerator } from '../crate/generator';
import type { BinaryGeneratorSchema } from './schema';

/** `nx g fine-threads:binary <name>`: a crate as `cargo new` makes it, in the enclosing Cargo workspace. */
export async function binaryGenerator(tree: Tree, options: BinaryGeneratorSchema): Promise<void> {
  await newCrateGenerator(tree, options, 'bin');
}

export default binaryGenerator;
