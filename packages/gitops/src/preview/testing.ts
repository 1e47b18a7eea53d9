/**
 * For tests: a copy of this workspace's GitOps tree and catalog in a temporary git repository,
 * changed through the real generators or by hand (both on an Nx FsTree), one commit per step.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Tree } from '@nx/devkit';
import { flushChanges, FsTree } from 'nx/src/generators/tree';

export const WORKSPACE = resolve(__dirname, '../../../..');

export interface GitWorkspace {
  root: string;
  /** Applies a change (a generator on the Nx Tree) and commits it. */
  commit(message: string, change: (tree: Tree) => Promise<void> | void): Promise<void>;
  remove(): void;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'preview-test',
  GIT_AUTHOR_EMAIL: 'preview-test@example.invalid',
  GIT_COMMITTER_NAME: 'preview-test',
  GIT_COMMITTER_EMAIL: 'preview-test@example.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

export function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

export function gitWorkspace(): GitWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'preview-ws-'));
  for (const part of ['gitops', 'generators', 'nx.json', 'package.json']) cpSync(join(WORKSPACE, part), join(root, part), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env: { ...process.env, ...GIT_ENV }, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'the tree as generated');
  return {
    root,
    async commit(message, change) {
      const tree = new FsTree(root, false);
      await change(tree);
      flushChanges(root, tree.listChanges());
      git('add', '-A');
      git('commit', '-qm', message);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
