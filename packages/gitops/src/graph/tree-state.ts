/**
 * What one graph computation knows about the tree, built once and shared by
 * createNodes and createDependencies.
 *
 * createNodes reads platform.yaml, every component.yaml and every
 * environment.yaml (the files its glob matched) and builds the tree model.
 * The model is kept in a module-level cache keyed by a hash of those files'
 * contents, so a second graph computation in the same process (the Nx daemon,
 * or createDependencies right after createNodes) parses nothing again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { argoApplicationFile, fluxEntryFile, parseComponentFile, parseEnvironmentFile, platformFile, TreeRoot } from '../model/layout';
import { buildTreeModel, SourceFile, TreeModel } from '../model/tree-model';

/** An environment deploys a component through its Flux Kustomization or Argo CD Application file. */
export interface Deployment {
  env: string;
  component: string;
  /** The file that declares the deployment, relative to the workspace root. */
  file: string;
}

export interface TreeState {
  key: string;
  model: TreeModel;
  deployments: Deployment[];
}

let cached: { key: string; model: TreeModel } | undefined;
let latest: TreeState | undefined;

/** The files (relative paths) among `files` that the tree model is built from. */
export function treeModelFiles(files: readonly string[], tree: TreeRoot): string[] {
  const platform = platformFile(tree);
  return files
    .filter((f) => f === platform || parseComponentFile(f, tree) !== undefined || parseEnvironmentFile(f, tree) !== undefined)
    .sort();
}

/** Reads the model files once, builds (or reuses) the model, and finds what each environment deploys. */
export function loadTreeState(workspaceRoot: string, files: readonly string[], tree: TreeRoot): TreeState {
  const sources = readSources(workspaceRoot, treeModelFiles(files, tree));
  const key = hashSources(tree, sources);
  if (cached?.key !== key) cached = { key, model: buildTreeModel(sources, tree) };
  latest = { key, model: cached.model, deployments: findDeployments(workspaceRoot, cached.model) };
  return latest;
}

/** The state of the last graph computation in this process, if it is for the same tree. */
export function latestTreeState(tree: TreeRoot): TreeState | undefined {
  return latest && latest.model.root.root === tree.root ? latest : undefined;
}

function readSources(workspaceRoot: string, files: string[]): SourceFile[] {
  const sources: SourceFile[] = [];
  for (const path of files) {
    try {
      sources.push({ path, text: readFileSync(join(workspaceRoot, path), 'utf8') });
    } catch {
      // Deleted between globbing and reading: the next graph computation will not list it.
    }
  }
  return sources;
}

function hashSources(tree: TreeRoot, sources: SourceFile[]): string {
  const hash = createHash('sha256').update(tree.root);
  for (const s of sources) hash.update('\0').update(s.path).update('\0').update(s.text);
  return hash.digest('hex');
}

function findDeployments(workspaceRoot: string, model: TreeModel): Deployment[] {
  const deployments: Deployment[] = [];
  for (const env of [...model.environments.keys()].sort()) {
    for (const component of [...model.components.keys()].sort()) {
      for (const file of [fluxEntryFile(env, component, model.root), argoApplicationFile(env, component, model.root)]) {
        if (existsSync(join(workspaceRoot, file))) deployments.push({ env, component, file });
      }
    }
  }
  return deployments;
}
