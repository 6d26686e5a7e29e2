export { createNodesV2 } from './plugins/nodes';
export { createDependencies } from './plugins/dependencies';
export type { FineThreadsPluginOptions } from './plugins/plugin-options';

import { createNodesV2 } from './plugins/nodes';
/** Nx 22+ reads the same tuple from `createNodes`. */
export const createNodes = createNodesV2;
export const name = 'fine-threads';
