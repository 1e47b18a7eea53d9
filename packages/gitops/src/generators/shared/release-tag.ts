/**
 * The release gate's one edit: environment.yaml `release`, the Git tag a manually synced
 * environment applies. Release and rollback are the same step with a newer or an older tag; the
 * tag must exist in the repository's history, so a typo never points production at nothing.
 */
import { logger, Tree } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { EnvironmentSettings } from '../../model/environment-settings';
import { environmentFile } from '../../model/layout';
import { assertReleaseTag, GitopsInputError } from '../../model/vocabulary';
import { isGated } from '../../manifests/index';
import { editYamlFile } from './files';

/** The commit a tag points at, from the real git history of the workspace. */
export function taggedCommit(root: string, tag: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], {
      cwd: root,
      encoding: 'utf-8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    throw new GitopsInputError(
      `Tag '${tag}' does not exist in the Git repository at ${root}; tag the reviewed commit first (git tag ${tag} <commit> && git push origin ${tag}).`,
    );
  }
}

/**
 * Refuses a release tag the environment cannot take (it is not gated, or the tag is not in the Git
 * history); returns the commit the tag points at. Generators call it before writing anything.
 */
export function checkReleaseTag(tree: Tree, env: EnvironmentSettings, tag: string): string {
  assertReleaseTag(tag);
  if (!isGated(env)) {
    throw new GitopsInputError(
      `Environment '${env.name}' syncs automatically (sync: auto); a release tag gates only environments with sync: manual.`,
    );
  }
  return taggedCommit(tree.root, tag);
}

/** Points a gated environment at `tag`; returns the tag it pointed at before. */
export function setReleaseTag(tree: Tree, env: EnvironmentSettings, tag: string): string | undefined {
  const commit = checkReleaseTag(tree, env, tag);
  const before = env.release;
  editYamlFile(tree, environmentFile(env.name), (doc) => {
    if (doc.get('release') !== tag) doc.set('release', tag);
  });
  const verb = before === undefined ? 'released' : before === tag ? 'already at' : 'moved';
  logger.info(`${env.name}: ${verb} ${before && before !== tag ? `${before} -> ` : ''}${tag} (commit ${commit.slice(0, 12)})`);
  return before;
}
