/**
 * Options of the `@mlops/gitops` plugin entry in nx.json, with defaults applied once.
 */
import { GITOPS_ROOT, TreeRoot } from '../model/layout';

export interface GitopsPluginOptions {
  /** Folder of the GitOps tree, relative to the workspace root (default `gitops`). */
  gitopsRoot?: string;
  /** Name of the inferred validation target (default `validate`). */
  targetName?: string;
}

export interface NormalizedPluginOptions {
  tree: TreeRoot;
  targetName: string;
}

export function normalizePluginOptions(options: GitopsPluginOptions | undefined): NormalizedPluginOptions {
  const root = (options?.gitopsRoot ?? GITOPS_ROOT).replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  return { tree: { root: root || GITOPS_ROOT }, targetName: options?.targetName ?? 'validate' };
}
