/**
 * `nx g @mlops/gitops:rename <component> --to <new-name>`: normalize, refuse a name that is taken
 * or not a DNS-1123 label, move the sources of truth (the folder; component.yaml's name, with the
 * Helm release name pinned; every dependsOn naming it), reconcile (the engines' entries follow),
 * format, and say what each engine does in the cluster.
 *
 * In-cluster identities stay: the base's objects (HelmRelease, chart source, values ConfigMap, the
 * custom resources of a manifests component) keep their names, and the Helm release its name and
 * storage namespace, so neither engine uninstalls and installs again. docs/lifecycle.md explains.
 */
import { logger, Tree } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import { Component, dependencyNames } from '../../model/component';
import { componentDir, componentFile, componentBaseFile, KUSTOMIZATION_FILE } from '../../model/layout';
import { assertDnsLabel, GitopsInputError } from '../../model/vocabulary';
import { setIfChanged } from '../../model/yaml-io';
import { engineModules } from '../../derive/index';
import { editYamlFile, filesUnder } from '../shared/files';
import { reconcileTree } from '../shared/reconcile';
import { findComponent, readWorkspace, Workspace } from '../shared/workspace';
import { RenameGeneratorSchema } from './schema';

/** Flux's garbage collection skips objects with this annotation: the old Kustomization's deletion cannot delete what the new one adopts. */
export const PRUNE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/prune';

export interface NormalizedRenameOptions {
  component: Component;
  to: string;
  workspace: Workspace;
}

export async function renameGenerator(tree: Tree, schema: RenameGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  moveFolder(tree, options);
  renameInComponentFile(tree, options);
  keepObjectsDuringHandover(tree, options);
  renameDependencies(tree, options);
  reconcileTree(tree, { since: options.workspace });
  if (!schema.skipFormat) await formatChangedFiles(tree);
  for (const line of clusterEffects(options)) logger.info(line);
}

export default renameGenerator;

export function normalizeOptions(tree: Tree, schema: RenameGeneratorSchema): NormalizedRenameOptions {
  const workspace = readWorkspace(tree);
  const component = findComponent(workspace, schema.component);
  const to = assertDnsLabel('New name (--to)', schema.to);
  if (to === component.name) throw new GitopsInputError(`Component '${to}' already has that name; give --to another name.`);
  const taken = workspace.locations.get(to);
  if (taken !== undefined) {
    throw new GitopsInputError(`Component '${to}' already exists (layer ${taken}); choose a name no component has.`);
  }
  return { component, to, workspace };
}

function moveFolder(tree: Tree, { component: c, to }: NormalizedRenameOptions): void {
  const target = componentDir(c.layer, to);
  for (const path of filesUnder(tree, c.dir)) {
    tree.write(target + path.slice(c.dir.length), tree.read(path)!);
    tree.delete(path);
  }
}

/** component.yaml keeps the release name the cluster runs (it was the old name unless pinned before). */
function renameInComponentFile(tree: Tree, { component: c, to }: NormalizedRenameOptions): void {
  editYamlFile(tree, componentFile(c.layer, to), (doc) => {
    setIfChanged(doc, ['name'], to);
    if (doc.commentBefore) doc.commentBefore = doc.commentBefore.replace(`Component ${c.name} `, `Component ${to} `);
    if (c.kind === 'helm') setIfChanged(doc, ['releaseName'], c.releaseName);
  });
}

/**
 * Every object of the base carries the prune-disabled annotation (kustomize `commonAnnotations`),
 * so when Flux deletes the old Kustomization its garbage collection leaves them for the new one.
 */
function keepObjectsDuringHandover(tree: Tree, { component: c, to }: NormalizedRenameOptions): void {
  const path = componentBaseFile(c.layer, to, KUSTOMIZATION_FILE);
  if (!tree.exists(path)) return;
  editYamlFile(tree, path, (doc) => {
    setIfChanged(doc, ['commonAnnotations', PRUNE_ANNOTATION], 'disabled');
    const node = doc.get('commonAnnotations', true) as { commentBefore?: string } | undefined;
    if (node && !node.commentBefore) {
      node.commentBefore = ` Renamed from ${c.name}: keeps the running objects while Flux hands them from Kustomization ${c.name} to ${to}.\n Delete this entry once every cluster has reconciled the rename (then removing ${to} prunes again).`;
    }
  });
}

function renameDependencies(tree: Tree, { component: c, to, workspace }: NormalizedRenameOptions): void {
  for (const other of workspace.model.components.values()) {
    if (other.name === c.name || !dependencyNames(other).includes(c.name)) continue;
    const names = [...new Set(dependencyNames(other).map((d) => (d === c.name ? to : d)))].sort();
    editYamlFile(tree, other.file, (doc) => setIfChanged(doc, ['dependsOn'], names));
  }
}

export function clusterEffects({ component: c, to, workspace }: NormalizedRenameOptions): string[] {
  const lines = [`Renamed ${c.name} to ${to}. In the clusters, once merged:`];
  for (const env of workspace.environments.filter((e) => c.overlays.has(e.name))) {
    for (const engine of engineModules(env.engines)) lines.push(`  ${engine.onRename(c, to, env)}`);
  }
  return lines;
}
