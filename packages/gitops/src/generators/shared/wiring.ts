/**
 * Wires a component into an environment for its engine(s): the Flux
 * Kustomization and the environment's derived lists (kustomization.yaml,
 * namespaces.yaml), and/or the Argo CD Application, the layer's AppProject
 * and the root app-of-apps. Existing files are edited in place.
 */
import { Tree } from '@nx/devkit';
import { isMap, isSeq } from 'yaml';
import {
  argoApplicationFile,
  argoProjectFile,
  argoRootAppFile,
  environmentEntry,
  environmentKustomization,
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
  K8sObject,
  namespace,
  OPERATOR_CLUSTER_RESOURCES,
  rootApplication,
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

/** Keeps an existing Flux Kustomization's dependsOn equal to component.yaml. */
export function setFluxDependsOn(tree: Tree, c: ComponentSpec, env: string): void {
  const path = fluxEntryFile(env, c.name);
  if (!tree.exists(path)) return;
  editYamlFile(tree, path, (doc) => {
    if (c.dependsOn.length === 0) {
      if (doc.hasIn(['spec', 'dependsOn'])) doc.deleteIn(['spec', 'dependsOn']);
    } else {
      setIfChanged(doc, ['spec', 'dependsOn'], dependsOnList(c.dependsOn));
    }
  });
}

const NAMESPACES_ENTRY = 'namespaces.yaml';

/** Flux entry point of an environment: an empty namespaces.yaml and a kustomization.yaml listing it. */
export function writeFluxEntryPoint(tree: Tree, env: string): void {
  writeIfMissing(tree, namespacesFile(env), `# Namespaces of ${env}, created before any component (derived by the generators).\n`);
  writeIfMissing(
    tree,
    environmentKustomization(env),
    toYaml(
      entryKustomization([relativeTo(environmentEntry(env), namespacesFile(env))]),
      `Flux entry point of ${env} (flux bootstrap --path points at this folder).\n` +
        `The resource list is derived: the @mlops/gitops generators keep it in sync with flux/.`,
    ),
  );
}

/** Argo CD entry point of an environment: the root app-of-apps. */
export function writeArgoEntryPoint(tree: Tree, env: EnvironmentSettings, git: GitSource): void {
  writeIfMissing(
    tree,
    argoRootAppFile(env.name),
    toYaml(rootApplication(env, git), `Argo CD root app-of-apps of ${env.name}: apply once, it syncs argocd/apps.`),
  );
}

/** clusters/<env>/kustomization.yaml: namespaces first, then every Flux entry, sorted (derived). */
export function ensureEnvironmentEntry(tree: Tree, env: string, entry: string): void {
  writeFluxEntryPoint(tree, env);
  const nsEntry = relativeTo(environmentEntry(env), namespacesFile(env));
  editYamlFile(tree, environmentKustomization(env), (doc) => {
    const current = (doc.getIn(['resources']) as { toJSON(): string[] } | undefined)?.toJSON() ?? [];
    if (current.includes(entry)) return;
    setIfChanged(doc, ['resources'], [nsEntry, ...[...current.filter((r) => r !== nsEntry), entry].sort()]);
  });
}

/** clusters/<env>/namespaces.yaml: every namespace this environment deploys into (union, sorted). */
export function ensureNamespace(tree: Tree, env: string, name: string, layer: string): void {
  const path = namespacesFile(env);
  const text = readText(tree, path);
  const existing = text === null ? [] : (readYamlDocuments(path, text) as K8sObject[]);
  if (existing.some((o) => o.kind === 'Namespace' && o.metadata?.name === name)) return;
  const all = [...existing, namespace(name, layer)].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  tree.write(path, toYaml(all, `Namespaces of ${env}, created before any component (derived by the generators).`));
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

export function setApplicationVersion(tree: Tree, c: ComponentSpec, env: string, version: string): void {
  const path = argoApplicationFile(env, c.name);
  if (tree.exists(path)) editYamlFile(tree, path, (doc) => setIfChanged(doc, TARGET_REVISION_PATH, version));
}

/** The layer's AppProject allows exactly the repos and namespaces its components use. */
function ensureProject(tree: Tree, c: ComponentSpec, env: string, git: GitSource): void {
  const path = argoProjectFile(env, c.layer.name);
  const repos = c.chart ? [c.chart.repository, git.url] : [git.url];
  if (writeIfMissing(tree, path, toYaml(appProject(c.layer, repos, [c.namespace], c.crds), `AppProject of layer ${c.layer.name} in ${env}: least privilege.`))) {
    return;
  }
  editYamlFile(tree, path, (doc) => {
    for (const repo of repos) addToSequence(doc, ['spec', 'sourceRepos'], repo);
    addObjectToSequence(doc, ['spec', 'destinations'], { server: 'https://kubernetes.default.svc', namespace: c.namespace });
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
