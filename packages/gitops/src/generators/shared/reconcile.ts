/**
 * Reconcile on the Nx Tree: derive the desired state from the sources of truth as they are in the
 * tree now, then write what differs and delete what the tool owns and nothing wants. Every
 * generator calls it after writing sources of truth; `nx sync` is this and nothing else.
 */
import { Tree } from '@nx/devkit';
import { deriveTree, Drift, readTreeModel, reconcile } from '../../derive/index';
import { treeView } from './workspace';

export interface ReconcileResult {
  drift: Drift[];
  /** Paths written or deleted. */
  changed: string[];
}

/** `check` computes the drift without touching the tree. */
export function reconcileTree(tree: Tree, { check = false }: { check?: boolean } = {}): ReconcileResult {
  const view = treeView(tree);
  const desired = deriveTree(view, readTreeModel(view));
  const plan = reconcile(view, desired.files, desired.obsolete);
  if (!check) {
    for (const change of plan.changes) {
      if (change.text === null) tree.delete(change.path);
      else tree.write(change.path, change.text);
    }
  }
  return { drift: plan.drift, changed: plan.changes.map((c) => c.path) };
}
