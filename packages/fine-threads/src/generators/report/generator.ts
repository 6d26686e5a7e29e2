/**
 * `nx g fine-threads:report`: the tune's analysis and HTML report on its
 * own — what the tuner would pick and why, the guard's verdict — with no
 * option changed and no tune state moved.
 */
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { tuneGenerator } from '../tune/generator';
import type { ReportGeneratorSchema } from './schema';

export async function reportGenerator(tree: Tree, options: ReportGeneratorSchema): Promise<GeneratorCallback | undefined> {
  return tuneGenerator(tree, { ...options, skipFormat: true }, { writeTable: false });
}

export default reportGenerator;
