/**
 * What one run validates, decided before any work: the kustomization
 * directories to render, the files to read, and to whom each result belongs.
 * Layout mode knows the gitops/ tree (components × environments); any mode
 * treats every kustomization directory and plain manifest alike.
 */
import { posix } from 'node:path';
import {
  componentDir,
  componentFile,
  componentsDir,
  crdsDir,
  environmentEntry,
  environmentFile,
  GITOPS_ROOT,
  listComponentDirs,
  listEnvironmentDirs,
  overlayDir,
  overlaysDir,
  componentBase,
  parseComponentFile,
  parseEnvironmentFile,
  platformFile,
  TreeRoot,
} from '../model/layout';
import { TreeModel } from '../model/tree-model';
import { directoryLister } from './file-reader';
import { cachedTreeModel } from './caches';
import { EnvironmentSettings, PRODUCTION, resolveSettings } from '../model/environment-settings';
import { KUSTOMIZATION_NAMES, LoadedTree, objectsOf } from './stages/1-load';
import { ReferenceOptions, TreeSource } from './stages/5-references';
import { ScopePolicy } from './stages/6-policy';
import { PostBuildOptions } from './stages/post-build';
import { groupOf } from '../model/kubernetes';
import { OwnSources } from './stages/flux-sources';
import { ValidateRequest } from './types';

export interface Plan {
  /** Kustomization directories whose content must be rendered. */
  renderRequests: string[];
  /**
   * Those of `renderRequests` rendered only as context for other checks (an
   * environment target's view of the overlays of components that are not
   * targets of this run): their objects are not themselves checked.
   */
  contextDirs: string[];
  /** YAML files to read (syntax) and, unless rendered or config, check as plain manifests. */
  files: string[];
  /** Files that are configuration, not Kubernetes objects. */
  isConfig: (file: string) => boolean;
  scopeOf: (path: string) => string;
  envOf: (path: string) => string | undefined;
  policyOf: (env: string) => ScopePolicy | undefined;
  /** Render batching key: an environment's overlays share a kustomize process. */
  groupOf: (dir: string) => string;
  ownerOf: (path: string) => string;
  references: ReferenceOptions;
  /** What the Flux post-build stage needs besides kubectl. */
  postBuild: Omit<PostBuildOptions, 'kubectl'>;
  /** Our layout: AppProjects must not be opened to `*` (least privilege). */
  leastPrivilege: boolean;
  crdsDir?: string;
  crdsHint: string;
  /** Layout mode: the tree model the plan was made from (its configuration files). */
  model?: TreeModel;
}

const FLUX_SOURCE_GROUP = 'source.toolkit.fluxcd.io';

/** The GitRepository `flux bootstrap` writes for the repository it bootstraps from. */
const BOOTSTRAP_SOURCE = 'flux-system';
const ANY_TREE_SOURCES: OwnSources = { names: [BOOTSTRAP_SOURCE], isOwnUrl: () => false };

const under = (dir: string, path: string) => dir === '' || path === dir || path.startsWith(dir + '/');

/** The innermost target holding a path. */
export function longestOwner(targets: string[], path: string): string | undefined {
  return targets.filter((t) => under(t, path)).sort((a, b) => b.length - a.length)[0];
}

export function planAny(tree: LoadedTree, req: ValidateRequest): Plan {
  const targets = req.targets.length ? req.targets : [''];
  const files = [...new Set(targets.flatMap((t) => tree.yamlFilesUnder(t)))];
  const kustomizationDirs = files
    .filter((f) => (KUSTOMIZATION_NAMES as readonly string[]).includes(posix.basename(f)))
    .map((f) => (posix.dirname(f) === '.' ? '' : posix.dirname(f)));
  // A tree we did not write says nothing of its environments but their folder names: a production
  // folder gets the settings an environment named production has by default (manual, pinned).
  const envOf = (path: string) => (path.split('/').some((seg) => /^prod(uction)?$/.test(seg)) ? PRODUCTION : undefined);
  return {
    renderRequests: kustomizationDirs,
    contextDirs: [],
    files,
    isConfig: (f) => req.crdsDir !== undefined && under(req.crdsDir, f),
    scopeOf: () => '',
    envOf,
    policyOf: memoize((env: string) => policyOfSettings(resolveSettings({}, env), 'warning')),
    groupOf: () => 'all',
    ownerOf: (p) => longestOwner(targets, p) ?? targets[0],
    // Any tree: the directory given is the repository root, so every Argo CD git source path is checked there;
    // a Flux GitRepository is this repository when it is the one `flux bootstrap` writes.
    references: { own: ANY_TREE_SOURCES, isOwnRepo: () => true, duplicates: false },
    postBuild: { own: ANY_TREE_SOURCES, literalSeverity: 'info' },
    leastPrivilege: false,
    crdsDir: req.crdsDir,
    crdsHint: req.crdsDir ?? 'a folder passed with --crds',
  };
}

export function planLayout(tree: LoadedTree, req: ValidateRequest): Plan {
  const root: TreeRoot = { root: GITOPS_ROOT };
  const model = readModel(tree, root, req.cacheDir);
  const componentByDir = new Map([...model.components.values()].map((c) => [c.dir, c]));
  const componentTargets = new Set(req.targets.filter((t) => componentByDir.has(t)));
  const envOfEntry = new Map([...model.environments.values()].map((e) => [e.dir, e.name]));
  const renderRequests: string[] = [];
  const contextDirs: string[] = [];
  const files = new Set<string>();
  for (const t of req.targets) {
    for (const f of tree.yamlFilesUnder(t)) files.add(f);
    const component = componentByDir.get(t);
    const env = envOfEntry.get(t);
    if (component) {
      const overlays = tree.reader.listDirs(overlaysDir(component.layer, component.name, root));
      renderRequests.push(
        ...(overlays.length
          ? overlays.map((e) => overlayDir(component.layer, component.name, e, root))
          : [componentBase(component.layer, component.name, root)]),
      );
    } else if (env !== undefined) {
      renderRequests.push(t);
      // The overlays it deploys: rendered for the cross-component checks; checked by their component.
      for (const c of model.components.values()) {
        const dir = overlayDir(c.layer, c.name, env, root);
        if (!tree.reader.isDirectory(dir)) continue;
        renderRequests.push(dir);
        if (!componentTargets.has(c.dir)) contextDirs.push(dir);
      }
    } else {
      for (const f of tree.yamlFilesUnder(t)) {
        const base = posix.basename(f);
        if ((KUSTOMIZATION_NAMES as readonly string[]).includes(base)) renderRequests.push(posix.dirname(f));
      }
    }
  }
  const envOf = memoize((path: string) => environmentOfPath(path, root, model));
  const componentOf = (path: string) => componentByDir.get(componentDirOf(path, root) ?? '');
  const crds = req.crdsDir ?? crdsDir(root);
  const isOwnRepo = (url: string) => !!model.platform && normalizeRepo(url) === normalizeRepo(model.platform.repository.url);
  const ownSources: OwnSources = { names: [BOOTSTRAP_SOURCE], isOwnUrl: isOwnRepo };
  return {
    renderRequests,
    contextDirs,
    files: [...files],
    isConfig: (f) => f === platformFile(root) || !!parseComponentFile(f, root) || parseEnvironmentFile(f, root) !== undefined || under(crds, f),
    scopeOf: (p) => envOf(p) ?? '',
    envOf,
    policyOf: (env) => policyOfEnvironment(model, env),
    groupOf: (dir) => envOf(dir) ?? 'bases',
    ownerOf: memoize((p: string) => {
      const component = componentOf(p);
      if (component && componentTargets.has(component.dir)) return component.dir;
      const env = envOf(p);
      const entry = env !== undefined ? environmentEntry(env, root) : undefined;
      if (entry && req.targets.includes(entry)) return entry;
      return longestOwner(req.targets, p) ?? req.targets[0] ?? '';
    }),
    references: {
      own: ownSources,
      isOwnRepo,
      duplicates: true,
      treeSources: () => componentSources(tree, model, root),
    },
    postBuild: { own: ownSources, literalSeverity: 'warning' },
    leastPrivilege: true,
    crdsDir: crds,
    crdsHint: `${crds}/`,
    model,
  };
}

/** `<components>/<layer>/<component>` of a path inside a component folder. */
function componentDirOf(path: string, root: TreeRoot): string | undefined {
  const prefix = componentsDir(root) + '/';
  if (!path.startsWith(prefix)) return undefined;
  const [layer, component] = path.slice(prefix.length).split('/');
  return component === undefined ? undefined : componentDir(layer, component, root);
}

/** The environment a path belongs to: its entry (`clusters/<env>/…`) or a component overlay (`<layer>/<c>/overlays/<env>/…`). */
function environmentOfPath(path: string, root: TreeRoot, model: TreeModel): string | undefined {
  for (const e of model.environments.values()) if (under(e.dir, path)) return e.name;
  const prefix = componentsDir(root) + '/';
  if (!path.startsWith(prefix)) return undefined;
  const [layer, component, overlays, env] = path.slice(prefix.length).split('/');
  if (env === undefined || !model.environments.has(env)) return undefined;
  return posix.join(layer, component, overlays) === posix.relative(componentsDir(root), overlaysDir(layer, component, root)) ? env : undefined;
}

function memoize<T>(fn: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, fn(key));
    return cache.get(key) as T;
  };
}

/** Every Flux source object written in a component base, with the component that owns it and where it is deployed. */
function componentSources(tree: LoadedTree, model: TreeModel, root: TreeRoot): TreeSource[] {
  const out: TreeSource[] = [];
  for (const c of model.components.values()) {
    const overlays = tree.reader.listDirs(overlaysDir(c.layer, c.name, root));
    const deployedIn = (env: string) => overlays.length === 0 || overlays.includes(env);
    for (const file of tree.yamlFilesUnder(componentBase(c.layer, c.name, root))) {
      const parsed = tree.file(file);
      for (const o of parsed ? objectsOf(parsed) : []) {
        if (groupOf(String(o.object.apiVersion)) === FLUX_SOURCE_GROUP) out.push({ object: o.object, file, owner: c.name, deployedIn });
      }
    }
  }
  return out;
}

/** The tree model; from the validation cache when the run has one (caches.ts). */
function readModel(tree: LoadedTree, root: TreeRoot, cacheDir: string | undefined): TreeModel {
  const files = directoryLister(tree.reader);
  const paths = [
    ...(files.isFile(platformFile(root)) ? [platformFile(root)] : []),
    ...listComponentDirs(files, root).map(({ layer, component }) => componentFile(layer, component, root)),
    ...listEnvironmentDirs(files, root).map((env) => environmentFile(env, root)),
  ];
  const sources = paths.map((p) => ({ path: p, text: tree.reader.read(p) }));
  return cachedTreeModel(cacheDir, sources, root);
}

/**
 * Environment policy, from the environment's resolved settings (`resolveSettings`: production
 * that does not say is manual and pinned). Production saying otherwise is itself a finding;
 * settings of the wrong kind are (config-invalid) and give no policy.
 */
function policyOfEnvironment(model: TreeModel, env: string): ScopePolicy | undefined {
  const s = model.environments.get(env)?.resolved;
  return s ? policyOfSettings(s, 'error') : undefined;
}

/** What an environment's settings demand of the objects deployed there: exact versions, no automatic sync. */
function policyOfSettings(s: EnvironmentSettings, severity: ScopePolicy['severity']): ScopePolicy | undefined {
  const pinned = s.pinVersions;
  const manual = s.sync === 'manual';
  return pinned || manual ? { pinned, manual, severity } : undefined;
}

function normalizeRepo(url: string): string {
  return url
    .trim()
    .replace(/\.git$/, '')
    .replace(/\/$/, '')
    .toLowerCase();
}
