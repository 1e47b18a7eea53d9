/**
 * Wires a component into an environment for its engine(s): the Flux
 * Kustomization and the environment's derived lists (kustomization.yaml,
 * namespaces.yaml), and/or the Argo CD Application, the layer's AppProject
 * and the root app-of-apps. Existing files are edited in place.
 */
import { Tree } from '@nx/devkit';
import { Document, isMap, isSeq } from 'yaml';
import {
  argoApplicationFile,
  argoProjectFile,
  argoRootAppFile,
  environmentEntry,
  environmentKustomization,
  fluxDir,
  fluxEntryFile,
  namespacesFile,
  relativeTo,
} from '../../model/layout';
import { addToSequence, readYamlDocuments, setIfChanged, toYaml } from '../../model/yaml-io';
import {
  application,
  appProject,
  ComponentSpec,
  dependsOnList,
  EnvironmentSettings,
  environmentKustomization as entryKustomization,
  fluxEntryComment,
  fluxKustomization,
  GitSource,
  IN_CLUSTER,
  K8sObject,
  namespace,
  OPERATOR_CLUSTER_RESOURCES,
  ROOT_PROJECT,
  rootObjects,
  TARGET_REVISION_PATH,
} from '../../manifests';
import { editYamlFile, writeIfMissing } from './files';
import { readText } from './workspace';

export function usesFlux(env: EnvironmentSettings): boolean {
  return env.engine === 'flux' || env.engine === 'both';
}

export function usesArgo(env: EnvironmentSettings): boolean {
  return env.engine === 'argocd' || env.engine === 'both';
}

export interface Wiring {
  component: ComponentSpec;
  env: EnvironmentSettings;
  git: GitSource;
  /** Chart version in this environment (helm components). */
  version?: string;
}

export function wireComponent(tree: Tree, w: Wiring): void {
  if (usesFlux(w.env)) wireFlux(tree, w);
  if (usesArgo(w.env)) wireArgo(tree, w);
}

function wireFlux(tree: Tree, { component: c, env }: Wiring): void {
  const path = fluxEntryFile(env.name, c.name);
  if (!writeIfMissing(tree, path, toYaml(fluxKustomization(c, env), fluxEntryComment(c, env)))) {
    setFluxDependsOn(tree, c, env.name);
  }
  ensureEnvironmentEntry(tree, env.name, relativeTo(environmentEntry(env.name), path));
  ensureNamespace(tree, env.name, c.namespace, c.layer.name);
}

/**
 * Keeps an existing Flux Kustomization's dependsOn equal to component.yaml, or to `deps` (the
 * dependencies deployed in that environment) when given. Returns whether the file changed.
 */
export function setFluxDependsOn(tree: Tree, c: ComponentSpec, env: string, deps: string[] = c.dependsOn): boolean {
  const path = fluxEntryFile(env, c.name);
  if (!tree.exists(path)) return false;
  return editYamlFile(tree, path, (doc) => {
    if (deps.length === 0) {
      if (doc.hasIn(['spec', 'dependsOn'])) doc.deleteIn(['spec', 'dependsOn']);
    } else {
      setIfChanged(doc, ['spec', 'dependsOn'], dependsOnList(deps));
    }
  });
}

function namespacesHeader(env: string): string {
  return `Namespaces of ${env}, created before any component (derived by the generators).`;
}

/** Flux entry point of an environment: an empty namespaces.yaml and a kustomization.yaml listing it. */
export function writeFluxEntryPoint(tree: Tree, env: string): boolean {
  const namespaces = writeIfMissing(tree, namespacesFile(env), `# ${namespacesHeader(env)}\n`);
  const entry = writeIfMissing(
    tree,
    environmentKustomization(env),
    toYaml(
      entryKustomization([relativeTo(environmentEntry(env), namespacesFile(env))]),
      `Flux entry point of ${env} (flux bootstrap --path points at this folder).\n` +
        `The resource list is derived: the @mlops/gitops generators keep it in sync with flux/.`,
    ),
  );
  return namespaces || entry;
}

/** Argo CD entry point of an environment: the root app-of-apps and its AppProject, in one file. */
export function writeArgoEntryPoint(tree: Tree, env: EnvironmentSettings, git: GitSource): boolean {
  const path = argoRootAppFile(env.name);
  return writeIfMissing(
    tree,
    path,
    toYaml(
      rootObjects(env, git),
      `Argo CD root app-of-apps of ${env.name}: apply once with 'kubectl apply -f ${path}', it syncs argocd/apps.\n` +
        `AppProject ${ROOT_PROJECT} limits it to this repository, the argocd namespace, Applications and AppProjects.`,
    ),
  );
}

/** Components with a Flux Kustomization in the environment (`flux/*.yaml`), sorted. */
export function fluxEntries(tree: Tree, env: string): string[] {
  const dir = fluxDir(env);
  if (!tree.exists(dir)) return [];
  return tree
    .children(dir)
    .filter((f) => f.endsWith('.yaml') && tree.isFile(`${dir}/${f}`))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * The derived resource list of clusters/<env>/kustomization.yaml: namespaces.yaml first, then the
 * Flux entries and any hand-added resource outside flux/, sorted. `flux` replaces the flux/ entries.
 */
function entryResources(env: string, current: string[], flux?: string[]): string[] {
  const entry = environmentEntry(env);
  const nsEntry = relativeTo(entry, namespacesFile(env));
  const fluxPrefix = relativeTo(entry, fluxDir(env)) + '/';
  const kept = current.filter((r) => r !== nsEntry && (flux === undefined || !r.startsWith(fluxPrefix)));
  const added = (flux ?? []).map((c) => relativeTo(entry, fluxEntryFile(env, c)));
  return [nsEntry, ...[...new Set([...kept, ...added])].sort()];
}

function currentResources(doc: Document): string[] {
  return (doc.getIn(['resources']) as { toJSON(): string[] } | undefined)?.toJSON() ?? [];
}

/** clusters/<env>/kustomization.yaml: namespaces first, then every Flux entry, sorted (derived). */
export function ensureEnvironmentEntry(tree: Tree, env: string, entry: string): void {
  writeFluxEntryPoint(tree, env);
  editYamlFile(tree, environmentKustomization(env), (doc) => {
    const current = currentResources(doc);
    if (current.includes(entry)) return;
    setIfChanged(doc, ['resources'], entryResources(env, [...current, entry]));
  });
}

/** Sets the Flux entries of clusters/<env>/kustomization.yaml to exactly `components`; returns whether it changed. */
export function setEnvironmentEntries(tree: Tree, env: string, components: string[]): boolean {
  const created = writeFluxEntryPoint(tree, env);
  const edited = editYamlFile(tree, environmentKustomization(env), (doc) => {
    setIfChanged(doc, ['resources'], entryResources(env, currentResources(doc), components));
  });
  return created || edited;
}

export interface NamespaceOf {
  name: string;
  /** Layer label of a namespace the tree creates. */
  layer?: string;
}

function readNamespaces(tree: Tree, env: string): K8sObject[] {
  const path = namespacesFile(env);
  const text = readText(tree, path);
  return text === null ? [] : (readYamlDocuments(path, text) as K8sObject[]);
}

function writeNamespaces(tree: Tree, env: string, objects: K8sObject[]): void {
  const sorted = [...objects].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  tree.write(namespacesFile(env), toYaml(sorted, namespacesHeader(env)));
}

/** clusters/<env>/namespaces.yaml: every namespace this environment deploys into (union, sorted). */
export function ensureNamespace(tree: Tree, env: string, name: string, layer: string): void {
  const existing = readNamespaces(tree, env);
  if (existing.some((o) => o.kind === 'Namespace' && o.metadata?.name === name)) return;
  writeNamespaces(tree, env, [...existing, namespace(name, layer)]);
}

/**
 * Sets clusters/<env>/namespaces.yaml to exactly `wanted`: missing namespaces are added, ones no
 * component deploys into any more are removed, the others keep their hand-added labels.
 * Returns the names added and removed (both empty when nothing changed).
 */
export function setNamespaces(tree: Tree, env: string, wanted: NamespaceOf[]): { added: string[]; removed: string[] } {
  const existing = readNamespaces(tree, env);
  const names = new Set(wanted.map((n) => n.name));
  const isNamespace = (o: K8sObject) => o.kind === 'Namespace';
  const kept = existing.filter((o) => !isNamespace(o) || names.has(o.metadata?.name));
  const removed = existing.filter((o) => !kept.includes(o)).map((o) => o.metadata.name);
  const have = new Set(kept.filter(isNamespace).map((o) => o.metadata.name));
  const missing = wanted.filter((n, i) => !have.has(n.name) && wanted.findIndex((m) => m.name === n.name) === i);
  if (missing.length === 0 && removed.length === 0) return { added: [], removed: [] };
  writeNamespaces(tree, env, [...kept, ...missing.map((n) => namespace(n.name, n.layer))]);
  return { added: missing.map((n) => n.name).sort(), removed: removed.sort() };
}

function wireArgo(tree: Tree, { component: c, env, git, version }: Wiring): void {
  writeArgoEntryPoint(tree, env, git);
  ensureProject(tree, c, env.name, git);
  const path = argoApplicationFile(env.name, c.name);
  const header =
    `${c.name} in ${env.name} (layer ${c.layer.name}, sync wave ${c.layer.order}).` +
    (env.sync === 'manual' ? `\nsync: manual. No automated sync: release from the Argo CD UI or 'argocd app sync ${c.name}'.` : '');
  if (!writeIfMissing(tree, path, toYaml(application(c, env, git, version), header)) && version && c.kind === 'helm') {
    setApplicationVersion(tree, c, env.name, version);
  }
}

/** Keeps an existing Application's targetRevision equal to the chart version; returns whether it changed. */
export function setApplicationVersion(tree: Tree, c: ComponentSpec, env: string, version: string): boolean {
  const path = argoApplicationFile(env, c.name);
  return tree.exists(path) && editYamlFile(tree, path, (doc) => setIfChanged(doc, TARGET_REVISION_PATH, version));
}

/** The layer's AppProject allows the repos and namespaces its components use; returns whether it changed. */
export function ensureProject(tree: Tree, c: ComponentSpec, env: string, git: GitSource): boolean {
  const path = argoProjectFile(env, c.layer.name);
  const repos = c.chart ? [c.chart.repository, git.url] : [git.url];
  if (writeIfMissing(tree, path, toYaml(appProject(c.layer, repos, [c.namespace], c.crds), `AppProject of layer ${c.layer.name} in ${env}: least privilege.`))) {
    return true;
  }
  return editYamlFile(tree, path, (doc) => {
    for (const repo of repos) addToSequence(doc, ['spec', 'sourceRepos'], repo);
    addObjectToSequence(doc, ['spec', 'destinations'], { server: IN_CLUSTER, namespace: c.namespace });
    if (c.crds) {
      for (const r of OPERATOR_CLUSTER_RESOURCES) addObjectToSequence(doc, ['spec', 'clusterResourceWhitelist'], r);
    }
  });
}

function addObjectToSequence(doc: import('yaml').Document, path: string[], item: Record<string, string>): void {
  const node = doc.getIn(path, true);
  if (!node) {
    doc.setIn(path, doc.createNode([item]));
    return;
  }
  if (!isSeq(node)) throw new Error(`${path.join('.')} is not a list`);
  const same = node.items.some((i) => isMap(i) && Object.entries(item).every(([k, v]) => i.get(k) === v));
  if (!same) node.items.push(doc.createNode(item));
}
