/**
 * The state of the GitOps tree as generators see it, read once through the Nx Tree into the one
 * tree model (model/tree-model.ts): the platform, the environments with their resolved settings,
 * every component with its chart and overlays.
 */
import { FileChange, Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { Component, SecretDeclaration } from '../../model/component';
import { EnvironmentSettings, resolveSettings } from '../../model/environment-settings';
import { componentFile, listComponentDirs, platformFile } from '../../model/layout';
import { findLayer, Layer, Platform } from '../../model/platform';
import { TreeModel } from '../../model/tree-model';
import { GitopsInputError } from '../../model/vocabulary';
import { toYaml } from '../../model/yaml-io';
import { deriveTree, DesiredTree, readTreeModel, TreeView } from '../../derive/index';
import { listForMessage } from './options';

/** The file's text, or null when it does not exist (one look at the disk: Tree.read answers null for a missing file). */
export function readText(tree: Tree, path: string): string | null {
  return tree.read(path, 'utf-8');
}

/** A view of the Nx Tree as it was when the view was made, with the paths that differed from the disk then. */
export interface TreeSnapshot extends TreeView {
  pending: Set<string>;
}

/**
 * The Nx Tree as the read-only view derive and the tree model read: the tree as it is when the view
 * is made. What it reads and lists is kept (the Nx Tree goes to the disk on every call, and derive
 * asks for the same folders many times), so a view is used before a generator's edits or after
 * them, never across them: `viewAfterEdits` gives the tree after them.
 */
export function treeView(tree: Tree): TreeSnapshot {
  return snapshotOf(tree, tree.listChanges());
}

function snapshotOf(tree: Tree, changes: FileChange[]): TreeSnapshot {
  const view = snapshotView({
    read: (path) => readText(tree, path),
    children: (dir) => tree.children(dir),
    isFile: (path) => tree.isFile(path),
  });
  return { ...view, pending: new Set(changes.map((c) => c.path)) };
}

/**
 * The tree after a generator's edits, reading what the edits did not touch from `before` (the view
 * the generator read the workspace through) and the rest from the tree. A path the edits may have
 * touched differs from the disk now or did then (the Nx Tree forgets a change that restores the
 * disk's content, so both lists are needed).
 */
export function viewAfterEdits(tree: Tree, before: TreeSnapshot): TreeSnapshot {
  const changes = tree.listChanges();
  const now = snapshotOf(tree, changes);
  const touched = new Set([...before.pending, ...now.pending]);
  const touchedDirs = new Set<string>();
  for (const path of touched) {
    for (let dir = posix.dirname(path); dir !== '.' && !touchedDirs.has(dir); dir = posix.dirname(dir)) touchedDirs.add(dir);
  }
  // Listings follow from the reading before and the changes, when nothing was pending then (an
  // `nx g` run): the Nx Tree scans every change on each listing, and an import makes 1,400.
  const listed = before.pending.size === 0 ? listingsAfter(before, changes) : undefined;
  return {
    read: (path) => (touched.has(path) ? now.read(path) : before.read(path)),
    children: (dir) => (!touchedDirs.has(dir) ? before.children(dir) : (listed?.children(dir) ?? now.children(dir))),
    isFile: (path) => (touched.has(path) || touchedDirs.has(path) ? (listed?.isFile(path) ?? now.isFile(path)) : before.isFile(path)),
    pending: now.pending,
  };
}

/** Folder listings after `changes` over a reading taken when the tree had none (the disk): what was listed, plus what was written, minus deleted files. */
function listingsAfter(before: TreeView, changes: FileChange[]): Pick<TreeView, 'children' | 'isFile'> {
  const kind = new Map(changes.map((c) => [c.path, c.type]));
  const added = new Map<string, Set<string>>();
  const deleted = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, dir: string, name: string) => (map.get(dir) ?? map.set(dir, new Set()).get(dir)!).add(name);
  const dirs = new Set<string>();
  for (const { path, type } of changes) {
    if (type === 'DELETE') add(deleted, posix.dirname(path), posix.basename(path));
    else
      for (let child = path, dir = posix.dirname(path); dir !== '.'; child = dir, dir = posix.dirname(dir)) {
        add(added, dir, posix.basename(child));
        if (child !== path) dirs.add(child);
      }
  }
  return {
    children: (dir) => {
      const gone = deleted.get(dir);
      const names = before.children(dir).filter((n) => !gone?.has(n));
      return [...new Set([...names, ...(added.get(dir) ?? [])])];
    },
    isFile: (path) => (kind.has(path) ? kind.get(path) !== 'DELETE' : dirs.has(path) ? false : before.isFile(path)),
  };
}

function snapshotView(view: TreeView): TreeView {
  const texts = new Map<string, string | null>();
  const listings = new Map<string, string[]>();
  const files = new Map<string, boolean>();
  const kept = <K, V>(map: Map<K, V>, key: K, get: () => V): V => {
    if (!map.has(key)) map.set(key, get());
    return map.get(key)!;
  };
  return {
    read: (path) => kept(texts, path, () => view.read(path)),
    children: (dir) => kept(listings, dir, () => view.children(dir)),
    isFile: (path) => kept(files, path, () => view.isFile(path)),
  };
}

export interface Workspace {
  /** The tree as read, before the generator's edits. */
  view: TreeSnapshot;
  model: TreeModel;
  /** What derive gives for the tree as read: the baseline a generator's reconcile compares with. */
  desired: DesiredTree;
  platform: Platform;
  /** Every environment with its settings (defaults applied), sorted by name. */
  environments: EnvironmentSettings[];
  /** The layer folder of every component folder with a component.yaml (even one that does not parse), as read. */
  locations: Map<string, string>;
}

/** Reads the tree; refuses one without platform.yaml, or with a platform.yaml or environment.yaml that is wrong. */
export function readWorkspace(tree: Tree): Workspace {
  const view = treeView(tree);
  const model = readTreeModel(view);
  if (!model.platform) {
    const problem = model.problems.find((p) => p.file === platformFile());
    if (problem && problem.rule !== 'platform-missing') throw new GitopsInputError(problem.message);
    throw new GitopsInputError(
      `${platformFile()} does not exist; create the first environment with 'nx g @mlops/gitops:environment development', which writes it.`,
    );
  }
  const platform = model.platform;
  const environments = [...model.environments.values()]
    .map((e) => e.resolved ?? resolveSettings(e.settings, e.name, platform, e.file))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { view, model, platform, environments, locations: locateComponents(view), desired: deriveTree(view, model) };
}

export function environmentNames(envs: EnvironmentSettings[]): string {
  return envs.length ? envs.map((e) => e.name).join(', ') : '(none)';
}

export function componentNames(ws: Workspace): string {
  return listForMessage([...ws.model.components.keys()].sort());
}

/** The component's layer folder, for every component folder with a component.yaml (even one that does not parse). */
function locateComponents(view: TreeView): Map<string, string> {
  return new Map(listComponentDirs(view).map(({ layer, component }) => [component, layer]));
}

/** An existing component; refused when it does not exist or its component.yaml has a problem (file:line). */
export function findComponent(ws: Workspace, name: string, what = 'Component'): Component {
  const layer = ws.locations.get(name);
  if (layer === undefined) throw new GitopsInputError(`${what} '${name}' does not exist; existing components: ${componentNames(ws)}.`);
  refuseConfigProblems(ws, componentFile(layer, name));
  return ws.model.components.get(name)!;
}

/** A generator refuses to work on a component whose component.yaml has a problem, naming file and line. */
export function refuseConfigProblems(ws: Workspace, file: string): void {
  const p = ws.model.problems.find((x) => x.file === file);
  if (p) throw new GitopsInputError(`${p.file}:${p.line}: ${p.message} Fix component.yaml first.`);
}

export function findEnvironment(ws: Workspace, name: string, what = 'Environment'): EnvironmentSettings {
  const env = ws.environments.find((e) => e.name === name);
  if (!env) throw new GitopsInputError(`${what} '${name}' does not exist; existing environments: ${environmentNames(ws.environments)}.`);
  return env;
}

export function layerOfComponent(ws: Workspace, c: Component): Layer {
  return findLayer(ws.platform, c.layer);
}

/** A `secrets` entry of component.yaml: the namespace only when it is not the component's. */
export function secretEntry(c: Component, s: SecretDeclaration): Record<string, unknown> {
  return {
    name: s.name,
    ...(s.namespace !== c.namespace ? { namespace: s.namespace } : {}),
    ...(s.description ? { description: s.description } : {}),
    ...(s.providedBy ? { providedBy: s.providedBy } : {}),
    keys: Object.fromEntries(s.keys.map((k) => [k.name, k.description])),
  };
}

/**
 * component.yaml: the one place of a component's kind, namespace, dependencies and (when pinned) Helm release name.
 * `pinReleaseName` writes the release name even where it equals the name (an imported release keeps it through a later rename).
 */
export function componentYaml(c: Component, { pinReleaseName = false }: { pinReleaseName?: boolean } = {}): string {
  return toYaml(
    {
      name: c.name,
      description: c.description,
      kind: c.kind,
      namespace: c.namespace,
      ...(pinReleaseName || c.releaseName !== c.name ? { releaseName: c.releaseName } : {}),
      dependsOn: c.dependsOn.map((d) => d.name).sort(),
      ...(c.secrets.length ? { secrets: c.secrets.map((s) => secretEntry(c, s)) } : {}),
    },
    `Component ${c.name} (layer ${c.layer}).\n` +
      `The one place of its kind, namespace and dependencies: Flux dependsOn, Argo CD sync waves\n` +
      `and the Nx project graph all follow from this file.`,
  );
}
