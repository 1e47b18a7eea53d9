/**
 * What one run validates, decided before any work: the kustomization
 * directories to render, the files to read, and to whom each result belongs.
 * Layout mode knows the gitops/ tree (components × environments); any mode
 * treats every kustomization directory and plain manifest alike.
 */
import { posix } from 'node:path';
import {
  clustersDir,
  componentsDir,
  crdsDir,
  environmentEntry,
  GITOPS_ROOT,
  overlayDir,
  overlaysDir,
  componentBase,
  parseComponentFile,
  parseEnvironmentFile,
  platformFile,
  TreeRoot,
} from '../model/layout';
import { buildTreeModel, TreeModel } from '../model/tree-model';
import { KUSTOMIZATION_NAMES, LoadedTree } from './stages/1-load';
import { checkComponentGraph, ReferenceOptions } from './stages/5-references';
import { ScopePolicy } from './stages/6-policy';
import { Finding, ValidateRequest } from './types';

export interface Plan {
  /** Kustomization directories whose content must be rendered. */
  renderRequests: string[];
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
  crdsDir?: string;
  crdsHint: string;
  findings: Finding[];
}

const under = (dir: string, path: string) => dir === '' || path === dir || path.startsWith(dir + '/');

function longestOwner(targets: string[], path: string): string | undefined {
  return targets.filter((t) => under(t, path)).sort((a, b) => b.length - a.length)[0];
}

export function planAny(tree: LoadedTree, req: ValidateRequest): Plan {
  const targets = req.targets.length ? req.targets : [''];
  const files = [...new Set(targets.flatMap((t) => tree.yamlFilesUnder(t)))];
  const kustomizationDirs = files
    .filter((f) => (KUSTOMIZATION_NAMES as readonly string[]).includes(posix.basename(f)))
    .map((f) => (posix.dirname(f) === '.' ? '' : posix.dirname(f)));
  const envOf = (path: string) => (path.split('/').some((seg) => /^prod(uction)?$/.test(seg)) ? 'production' : undefined);
  return {
    renderRequests: kustomizationDirs,
    files,
    isConfig: (f) => req.crdsDir !== undefined && under(req.crdsDir, f),
    scopeOf: () => '',
    envOf,
    policyOf: (env) => (env === 'production' ? { pinned: true, manual: true, severity: 'warning' } : undefined),
    groupOf: () => 'all',
    ownerOf: (p) => longestOwner(targets, p) ?? targets[0],
    references: { ownSources: ['flux-system'], isOwnRepo: () => false, duplicates: false },
    crdsDir: req.crdsDir,
    crdsHint: req.crdsDir ?? 'a folder passed with --crds',
    findings: [],
  };
}

export function planLayout(tree: LoadedTree, req: ValidateRequest): Plan {
  const root: TreeRoot = { root: req.gitopsRoot ?? GITOPS_ROOT };
  const model = readModel(tree, root);
  const findings: Finding[] = model.problems.map((p) => ({
    target: '', file: p.file, line: p.line, rule: p.rule === 'yaml-syntax' ? 'yaml-syntax' : 'config-invalid', severity: 'error' as const,
    message: p.message.endsWith('.') ? p.message : `${p.message}.`, hint: 'Fix the configuration file; the generators write it in this shape.',
  }));
  const components = [...model.components.values()];
  const componentTargets = new Set(req.targets.filter((t) => components.some((c) => c.dir === t)));
  const envOfEntry = new Map([...model.environments.values()].map((e) => [e.dir, e.name]));
  const renderRequests: string[] = [];
  const files = new Set<string>();
  for (const t of req.targets) {
    for (const f of tree.yamlFilesUnder(t)) files.add(f);
    const component = components.find((c) => c.dir === t);
    const env = envOfEntry.get(t);
    if (component) {
      const overlays = tree.reader.listDirs(overlaysDir(component.layer, component.name, root));
      renderRequests.push(...(overlays.length ? overlays.map((e) => overlayDir(component.layer, component.name, e, root)) : [componentBase(component.layer, component.name, root)]));
    } else if (env !== undefined) {
      renderRequests.push(t);
      for (const c of components) {
        const dir = overlayDir(c.layer, c.name, env, root);
        if (tree.reader.isDirectory(dir)) {
          renderRequests.push(dir);
          for (const f of tree.yamlFilesUnder(dir)) files.add(f);
        }
      }
    } else {
      for (const f of tree.yamlFilesUnder(t)) {
        const base = posix.basename(f);
        if ((KUSTOMIZATION_NAMES as readonly string[]).includes(base)) renderRequests.push(posix.dirname(f));
      }
    }
  }
  findings.push(...checkComponentGraph(model, componentTargets), ...environmentFindings(model, req.targets));
  const envOf = (path: string): string | undefined => {
    for (const e of model.environments.keys()) {
      if (under(environmentEntry(e, root), path)) return e;
      const m = path.startsWith(componentsDir(root) + '/') ? path.split('/') : [];
      const i = m.indexOf('overlays');
      if (i !== -1 && m[i + 1] === e) return e;
    }
    return undefined;
  };
  const crds = req.crdsDir ?? crdsDir(root);
  return {
    renderRequests,
    files: [...files],
    isConfig: (f) => f === platformFile(root) || !!parseComponentFile(f, root) || parseEnvironmentFile(f, root) !== undefined || under(crds, f),
    scopeOf: (p) => envOf(p) ?? '',
    envOf,
    policyOf: (env) => policyOfEnvironment(model, env),
    groupOf: (dir) => envOf(dir) ?? 'bases',
    ownerOf: (p) => {
      const component = components.find((c) => componentTargets.has(c.dir) && under(c.dir, p));
      if (component) return component.dir;
      const env = envOf(p);
      const entry = env !== undefined ? environmentEntry(env, root) : undefined;
      if (entry && req.targets.includes(entry)) return entry;
      return longestOwner(req.targets, p) ?? req.targets[0] ?? '';
    },
    references: {
      ownSources: ['flux-system'],
      isOwnRepo: (url) => !!model.platform && normalizeRepo(url) === normalizeRepo(model.platform.repository.url),
      duplicates: true,
    },
    crdsDir: crds,
    crdsHint: `${crds}/`,
    findings,
  };
}

function readModel(tree: LoadedTree, root: TreeRoot): TreeModel {
  const paths = [platformFile(root)];
  for (const f of tree.reader.listFiles(componentsDir(root))) if (parseComponentFile(f, root)) paths.push(f);
  for (const f of tree.reader.listFiles(clustersDir(root))) if (parseEnvironmentFile(f, root) !== undefined) paths.push(f);
  const sources = paths.filter((p) => tree.reader.isFile(p)).map((p) => ({ path: p, text: tree.reader.read(p) }));
  return buildTreeModel(sources, root);
}

/**
 * Environment policy. Pinned: `pinVersions: true`, or an environment named
 * production that does not say. Manual: `sync: manual`, or production that
 * does not say. Production saying otherwise is itself a finding.
 */
function policyOfEnvironment(model: TreeModel, env: string): ScopePolicy | undefined {
  const e = model.environments.get(env);
  if (!e) return undefined;
  const s = e.settings;
  const pinned = s.pinVersions === true || (s.pinVersions === undefined && env === 'production');
  const manual = s.sync === 'manual' || (s.sync === undefined && env === 'production');
  return pinned || manual ? { pinned, manual, severity: 'error' } : undefined;
}

function environmentFindings(model: TreeModel, targets: string[]): Finding[] {
  const e = model.environments.get('production');
  if (!e || !targets.includes(e.dir)) return [];
  const out: Finding[] = [];
  if (e.settings.sync === 'auto') {
    out.push({ target: e.dir, file: e.file, line: 1, rule: 'production-auto-sync', severity: 'error', message: `Environment 'production' sets sync 'auto'; production must be synced manually.`, hint: 'Set sync: manual in environment.yaml (generators then suspend Flux Kustomizations and drop Argo CD automated sync).' });
  }
  if (e.settings.pinVersions === false) {
    out.push({ target: e.dir, file: e.file, line: 1, rule: 'production-unpinned', severity: 'error', message: `Environment 'production' sets pinVersions false; production must pin exact chart versions.`, hint: 'Set pinVersions: true in environment.yaml.' });
  }
  return out;
}

function normalizeRepo(url: string): string {
  return url.trim().replace(/\.git$/, '').replace(/\/$/, '').toLowerCase();
}
