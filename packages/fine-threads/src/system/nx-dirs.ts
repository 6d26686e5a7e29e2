import { isAbsolute, join } from 'node:path';

/**
 * This checkout's Nx workspace-data directory, as Nx documents it
 * (`NX_WORKSPACE_DATA_DIRECTORY`, else `.nx/workspace-data`), so the plugin
 * needs no import from Nx's internals (`nx/src/...`): only public behaviour.
 */
export function workspaceDataDir(workspaceRoot: string): string {
  const configured = process.env.NX_WORKSPACE_DATA_DIRECTORY ?? process.env.NX_PROJECT_GRAPH_CACHE_DIRECTORY;
  if (configured) return isAbsolute(configured) ? configured : join(workspaceRoot, configured);
  return join(workspaceRoot, '.nx', 'workspace-data');
}
