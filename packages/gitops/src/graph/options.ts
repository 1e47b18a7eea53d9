/**
 * Options of the `@mlops/gitops` plugin entry in nx.json, with defaults applied once.
 * The GitOps tree is always `gitops/` (model/layout.ts GITOPS_ROOT): the generators, the
 * manifest builders and the CLI write and read it there, so its folder is not an option.
 */
import { GITOPS_ROOT, TreeRoot } from '../model/layout';
import { GitopsInputError } from '../model/vocabulary';

export interface GitopsPluginOptions {
  /** Name of the inferred validation target (default `validate`). */
  targetName?: string;
}

export interface NormalizedPluginOptions {
  tree: TreeRoot;
  targetName: string;
}

const KNOWN_OPTIONS: readonly (keyof GitopsPluginOptions)[] = ['targetName'];

export function normalizePluginOptions(options: GitopsPluginOptions | undefined): NormalizedPluginOptions {
  for (const key of Object.keys(options ?? {})) {
    if (!(KNOWN_OPTIONS as readonly string[]).includes(key)) {
      throw new GitopsInputError(
        `Option '${key}' of the @mlops/gitops plugin in nx.json is not known; must be one of: ${KNOWN_OPTIONS.join(', ')}. The GitOps tree is always ${GITOPS_ROOT}/.`,
      );
    }
  }
  return { tree: { root: GITOPS_ROOT }, targetName: options?.targetName ?? 'validate' };
}
