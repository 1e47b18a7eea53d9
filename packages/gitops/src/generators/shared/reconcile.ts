/**
 * Reconcile on the Nx Tree: derive the desired state from the sources of truth as they are in the
 * tree now, then write what differs and delete what the tool owns and nothing wants. Every
 * generator calls it after writing sources of truth; `nx sync` is this and nothing else.
 */
import { Tree } from '@nx/devkit';
import { deriveTree, DesiredTree, Drift, readTreeModel, reconcile } from '../../derive/index';
import { treeView, viewAfterEdits, Workspace } from './workspace';

export interface ReconcileResult {
  drift: Drift[];
  /** Paths written or deleted. */
  changed: string[];
}

export interface ReconcileTreeOptions {
  /** Compute the drift without touching the tree. */
  check?: boolean;
  /**
   * The workspace as the generator read it before its edits: only files whose desired content the
   * edits changed are reconciled, so a generator's diff holds what its change implies and nothing
   * else (`nx sync` reconciles everything); what the edits did not touch is not read again.
   */
  since?: Pick<Workspace, 'view' | 'desired'>;
}

export function reconcileTree(tree: Tree, { check = false, since }: ReconcileTreeOptions = {}): ReconcileResult {
  const view = since ? viewAfterEdits(tree, since.view) : treeView(tree);
  const after = deriveTree(view, readTreeModel(view));
  const desired = since ? changedSince(since.desired, after) : after;
  const plan = reconcile(view, desired.files, desired.obsolete, { check });
  if (!check) {
    for (const change of plan.changes) {
      if (change.text === null) tree.delete(change.path);
      else tree.write(change.path, change.text);
    }
  }
  return { drift: plan.drift, changed: plan.changes.map((c) => c.path) };
}

/** The part of `after` that differs from `before`: desired files whose content changed or that are new, files newly obsolete. */
function changedSince(before: DesiredTree, after: DesiredTree): DesiredTree {
  // Both sides come from the same derive, so the same key order: plain JSON compares them.
  const was = new Map(before.files.map((f) => [f.path, JSON.stringify(f.documents)]));
  const obsolete = new Set(before.obsolete.map((o) => o.path));
  return {
    files: after.files.filter((f) => was.get(f.path) !== JSON.stringify(f.documents)),
    obsolete: after.obsolete.filter((o) => !obsolete.has(o.path)),
  };
}
