/** Test helpers for the generator specs (not shipped: only specs import this file). */
import { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import componentGenerator from '../component/component';
import environmentGenerator from '../environment/environment';

const WORKSPACE_CATALOG = join(__dirname, '../../../../../generators');

/** An empty workspace with this repository's catalog and, unless told otherwise, the three default environments. */
export async function createGitopsTree(envs: string[] = ['development', 'staging', 'production']): Promise<Tree> {
  // Generators format through prettier as in a real workspace (Jest runs with --experimental-vm-modules so prettier loads).
  const tree = createTreeWithEmptyWorkspace({ formatter: 'prettier' } as never);
  for (const f of readdirSync(WORKSPACE_CATALOG)) {
    if (/\.(ya?ml|json)$/.test(f)) tree.write(`generators/${f}`, readFileSync(join(WORKSPACE_CATALOG, f)));
  }
  for (const name of envs) await environmentGenerator(tree, { name });
  return tree;
}

/**
 * A platform the real generators wrote: development (Flux), staging (Flux and Argo CD side by side),
 * production (Flux, manual) unless left out, and the given catalog components in that order.
 */
export async function createPlatformTree(components: string[], { production = true } = {}): Promise<Tree> {
  const tree = await createGitopsTree([]);
  await environmentGenerator(tree, { name: 'development' });
  await environmentGenerator(tree, { name: 'staging', engines: ['flux', 'argocd'] });
  if (production) await environmentGenerator(tree, { name: 'production' });
  for (const name of components) await componentGenerator(tree, { name });
  return tree;
}

/** Every file under gitops/ with its text, to compare a tree before and after a run. */
export function snapshot(tree: Tree, root = 'gitops'): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = `${dir}/${child}`;
      if (tree.isFile(path)) out[path] = tree.read(path, 'utf-8')!;
      else walk(path);
    }
  };
  if (tree.exists(root)) walk(root);
  return out;
}

/** Files whose text differs between two snapshots (added, removed or changed). */
export function changedFiles(before: Record<string, string>, after: Record<string, string>): string[] {
  const paths = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...paths].filter((p) => before[p] !== after[p]).sort();
}
