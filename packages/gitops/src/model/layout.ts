/**
 * The shape of the GitOps tree, defined once. Generators, graph inference,
 * validation and docs all ask this module where things live; nobody else
 * spells "overlays" or "kustomization.yaml".
 *
 * All paths are POSIX, relative to the workspace root.
 */
import { posix } from 'node:path';

export const GITOPS_ROOT = 'gitops';
export const PLATFORM_FILE = 'platform.yaml';
export const COMPONENT_FILE = 'component.yaml';
export const ENVIRONMENT_FILE = 'environment.yaml';
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
export const VALUES_FILE = 'values.yaml';
/** Chart source of a helm component's base: HelmRepository or OCIRepository. */
export const SOURCE_FILE = 'source.yaml';
export const HELMRELEASE_FILE = 'helmrelease.yaml';
/** Plain-manifest component: the base objects. */
export const MANIFESTS_FILE = 'manifests.yaml';
/** Overlay patch holding this environment's chart version. */
export const VERSION_PATCH_FILE = 'version.yaml';
/** Overlay patches of a plain-manifest component for this environment's size. */
export const SIZE_PATCH_FILE = 'size.yaml';
/** Folder where users drop CRD files so CRs of those kinds are schema-checked too. */
export const CRDS_DIR = 'crds';
/** Folder of the components, one folder per layer inside. */
export const COMPONENTS_DIR = 'components';
/** Folder of the environments' entry points. */
export const CLUSTERS_DIR = 'clusters';
export const BASE_DIR = 'base';
/** The component catalog, at the workspace root: one blueprint per component. */
export const CATALOG_DIR = 'generators';
export const OVERLAYS_DIR = 'overlays';

export interface TreeRoot {
  /** The GitOps tree's folder, relative to the workspace root (default `gitops`). */
  root: string;
}

const join = posix.join;

export function platformFile(t: TreeRoot = { root: GITOPS_ROOT }): string {
  return join(t.root, PLATFORM_FILE);
}

export function crdsDir(t: TreeRoot = { root: GITOPS_ROOT }): string {
  return join(t.root, CRDS_DIR);
}

export function componentsDir(t: TreeRoot = { root: GITOPS_ROOT }): string {
  return join(t.root, COMPONENTS_DIR);
}

export function componentDir(layer: string, component: string, t: TreeRoot = { root: GITOPS_ROOT }): string {
  return join(componentsDir(t), layer, component);
}

export function componentFile(layer: string, component: string, t?: TreeRoot): string {
  return join(componentDir(layer, component, t), COMPONENT_FILE);
}

export function componentBase(layer: string, component: string, t?: TreeRoot): string {
  return join(componentDir(layer, component, t), BASE_DIR);
}

export function overlaysDir(layer: string, component: string, t?: TreeRoot): string {
  return join(componentDir(layer, component, t), OVERLAYS_DIR);
}

export function overlayDir(layer: string, component: string, env: string, t?: TreeRoot): string {
  return join(overlaysDir(layer, component, t), env);
}

/** A file inside a component's base folder. */
export function componentBaseFile(layer: string, component: string, file: string, t?: TreeRoot): string {
  return join(componentBase(layer, component, t), file);
}

/** A file inside a component's overlay for one environment. */
export function overlayFile(layer: string, component: string, env: string, file: string, t?: TreeRoot): string {
  return join(overlayDir(layer, component, env, t), file);
}

export function clustersDir(t: TreeRoot = { root: GITOPS_ROOT }): string {
  return join(t.root, CLUSTERS_DIR);
}

/** Entry point of an environment: `flux bootstrap --path` points here. */
export function environmentEntry(env: string, t?: TreeRoot): string {
  return join(clustersDir(t), env);
}

export function environmentFile(env: string, t?: TreeRoot): string {
  return join(environmentEntry(env, t), ENVIRONMENT_FILE);
}

export function environmentKustomization(env: string, t?: TreeRoot): string {
  return join(environmentEntry(env, t), KUSTOMIZATION_FILE);
}

export function namespacesFile(env: string, t?: TreeRoot): string {
  return join(environmentEntry(env, t), 'namespaces.yaml');
}

/** Flux GitRepository of a manually synced environment, on its release tag (the gate). */
export function releaseSourceFile(env: string, t?: TreeRoot): string {
  return join(environmentEntry(env, t), 'release.yaml');
}

/** Folder of an environment's Secret objects (ExternalSecret, SealedSecret or SOPS-encrypted Secret), one file per Secret. */
export function secretsDir(env: string, t?: TreeRoot): string {
  return join(environmentEntry(env, t), 'secrets');
}

/** The provider's object for one Secret in one environment. */
export function secretFile(env: string, namespace: string, name: string, t?: TreeRoot): string {
  return join(secretsDir(env, t), `${namespace}.${name}.yaml`);
}

/**
 * sops' configuration: at the workspace root, because sops looks for it from the working directory
 * upward, so `sops --encrypt` run anywhere in the workspace finds it; its path_regex rules match
 * a file's path relative to this folder.
 */
export const SOPS_CONFIG_FILE = '.sops.yaml';

/** The creation rule's path_regex of an environment's SOPS Secrets: `<namespace>.<name>.yaml` in its secrets folder (not kustomization.yaml). */
export function sopsSecretsPathRegex(env: string, t?: TreeRoot): string {
  return `^${escapeRegex(secretsDir(env, t))}/[^/]+\\.[^/]+\\.yaml$`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Argo CD's argocd-cm keys this tree needs (Application health, so sync waves wait), applied server-side once. */
export function argoConfigFile(env: string, t?: TreeRoot): string {
  return join(environmentEntry(env, t), 'argocd', 'argocd-cm.yaml');
}

/** Folder of an environment's Flux Kustomizations, one per component. */
export function fluxDir(env: string, t?: TreeRoot): string {
  return join(environmentEntry(env, t), 'flux');
}

/** Flux Kustomization of one component in one environment. */
export function fluxEntryFile(env: string, component: string, t?: TreeRoot): string {
  return join(fluxDir(env, t), `${component}.yaml`);
}

/** Folder the Argo CD root app-of-apps syncs: projects and applications. */
export function argoAppsDir(env: string, t?: TreeRoot): string {
  return join(environmentEntry(env, t), 'argocd', 'apps');
}

export function argoRootAppFile(env: string, t?: TreeRoot): string {
  return join(environmentEntry(env, t), 'argocd', 'root.yaml');
}

export function argoApplicationFile(env: string, component: string, t?: TreeRoot): string {
  return join(argoAppsDir(env, t), `${component}.yaml`);
}

export function argoProjectFile(env: string, layer: string, t?: TreeRoot): string {
  return join(argoAppsDir(env, t), `project-${layer}.yaml`);
}

/** The blueprint of a component in the catalog. */
export function blueprintFile(name: string): string {
  return join(CATALOG_DIR, `${name}.yaml`);
}

/** Path of a file relative to another folder, as kustomize `resources:` entries want it. */
export function relativeTo(fromDir: string, to: string): string {
  return posix.relative(fromDir, to) || '.';
}

export interface ComponentLocation {
  layer: string;
  component: string;
}

/** Recognises `gitops/components/<layer>/<component>/component.yaml`. */
export function parseComponentFile(path: string, t: TreeRoot = { root: GITOPS_ROOT }): ComponentLocation | undefined {
  const prefix = componentsDir(t) + '/';
  if (!path.startsWith(prefix)) return undefined;
  const parts = path.slice(prefix.length).split('/');
  if (parts.length !== 3 || parts[2] !== COMPONENT_FILE) return undefined;
  return { layer: parts[0], component: parts[1] };
}

/** Recognises `gitops/clusters/<env>/environment.yaml`. */
export function parseEnvironmentFile(path: string, t: TreeRoot = { root: GITOPS_ROOT }): string | undefined {
  const prefix = clustersDir(t) + '/';
  if (!path.startsWith(prefix)) return undefined;
  const parts = path.slice(prefix.length).split('/');
  if (parts.length !== 2 || parts[1] !== ENVIRONMENT_FILE) return undefined;
  return parts[0];
}

const COMPONENT_FILES = `${COMPONENTS_DIR}/*/*/${COMPONENT_FILE}`;
const ENVIRONMENT_FILES = `${CLUSTERS_DIR}/*/${ENVIRONMENT_FILE}`;

/** Globs of the configuration files (a tree at any root), derived from the same names as the paths above. */
export const COMPONENT_FILE_GLOB = `**/${COMPONENT_FILES}`;
export const ENVIRONMENT_FILE_GLOB = `**/${ENVIRONMENT_FILES}`;

/**
 * The one glob createNodes gives Nx (Nx hands all its matches to one call): platform.yaml, every
 * component.yaml and every environment.yaml of the tree in `gitops/`.
 */
export const GITOPS_FILES_GLOB = `${GITOPS_ROOT}/{${COMPONENT_FILES},${ENVIRONMENT_FILES},${PLATFORM_FILE}}`;

/** The part of a file tree the listings read; the Nx Tree satisfies it. */
export interface DirectoryLister {
  children(dir: string): string[];
  isFile(path: string): boolean;
}

/**
 * Every `components/<layer>/<component>/` that has a component.yaml, sorted by layer then name:
 * the one enumeration of the components of a tree.
 */
export function listComponentDirs(files: DirectoryLister, t: TreeRoot = { root: GITOPS_ROOT }): ComponentLocation[] {
  const found: ComponentLocation[] = [];
  for (const layer of [...files.children(componentsDir(t))].sort()) {
    for (const component of [...files.children(join(componentsDir(t), layer))].sort()) {
      if (files.isFile(componentFile(layer, component, t))) found.push({ layer, component });
    }
  }
  return found;
}

/** Every `clusters/<env>/` that has an environment.yaml, sorted: the one enumeration of the environments. */
export function listEnvironmentDirs(files: DirectoryLister, t: TreeRoot = { root: GITOPS_ROOT }): string[] {
  return [...files.children(clustersDir(t))].sort().filter((env) => files.isFile(environmentFile(env, t)));
}

/** Nx project name of an environment (components keep their own name). */
export function environmentProjectName(env: string): string {
  return `env-${env}`;
}
