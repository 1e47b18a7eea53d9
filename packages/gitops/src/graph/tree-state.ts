/**
 * What one graph computation knows about the tree, read once and shared by
 * createNodes and createDependencies.
 *
 * createNodes reads platform.yaml, every component.yaml and every
 * environment.yaml (the files its glob matched) and checks which overlays
 * exist (a component is deployed where it has one). Those inputs have a key (a hash of all of them);
 * the tree model is built from them only when someone asks for it: when the
 * graph cache (graph-cache.ts) holds results for the key, nothing is parsed.
 * The model is also kept in a module-level cache by key, so a second graph
 * computation in the same process (the Nx daemon) parses nothing again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUSTOMIZATION_FILE, overlayFile, parseComponentFile, parseEnvironmentFile, platformFile, TreeRoot } from '../model/layout';
import { buildTreeModel, SourceFile, TreeModel } from '../model/tree-model';
import { hashParts } from './graph-cache';

/** An environment deploys a component that has an overlay for it. */
export interface Deployment {
  env: string;
  component: string;
  /** The overlay's kustomization.yaml, relative to the workspace root. */
  file: string;
}

export interface TreeState {
  /** Hash of the tree root, the model files' paths and texts, and the deployment files that exist. */
  key: string;
  /** Built on first use. */
  readonly model: TreeModel;
  readonly deployments: Deployment[];
}

let cachedModel: { key: string; model: TreeModel } | undefined;
let latest: { root: string; state: TreeState } | undefined;

/** The files (relative paths) among `files` that the tree model is built from. */
export function treeModelFiles(files: readonly string[], tree: TreeRoot): string[] {
  const platform = platformFile(tree);
  return files.filter((f) => f === platform || parseComponentFile(f, tree) !== undefined || parseEnvironmentFile(f, tree) !== undefined).sort();
}

/** Reads the model files and finds the entry files; the model itself is built (or reused) when first asked for. */
export function loadTreeState(workspaceRoot: string, files: readonly string[], tree: TreeRoot): TreeState {
  const modelFiles = treeModelFiles(files, tree);
  const sources = readSources(workspaceRoot, modelFiles);
  const candidates = entryFiles(workspaceRoot, modelFiles, tree);
  const key = hashParts([tree.root, ...sources.flatMap((s) => [s.path, s.text]), '\0entries', ...candidates.map((c) => c.file)]);
  let deployments: Deployment[] | undefined;
  const model = () => {
    if (cachedModel?.key !== key) cachedModel = { key, model: buildTreeModel(sources, tree) };
    return cachedModel.model;
  };
  const state: TreeState = {
    key,
    get model() {
      return model();
    },
    get deployments() {
      const m = model();
      return (deployments ??= candidates.filter((c) => m.components.has(c.component) && m.environments.has(c.env)));
    },
  };
  latest = { root: tree.root, state };
  return state;
}

/** The state of the last graph computation in this process, if it is for the same tree. */
export function latestTreeState(tree: TreeRoot): TreeState | undefined {
  return latest?.root === tree.root ? latest.state : undefined;
}

function readSources(workspaceRoot: string, files: string[]): SourceFile[] {
  const sources: SourceFile[] = [];
  for (const path of files) {
    try {
      sources.push({
        path,
        text: readFileSync(join(workspaceRoot, path), 'utf8'),
      });
    } catch {
      // Deleted between globbing and reading: the next graph computation will not list it.
    }
  }
  return sources;
}

/** The overlays that exist, for every environment and component named by the files' paths. */
function entryFiles(workspaceRoot: string, modelFiles: string[], tree: TreeRoot): Deployment[] {
  const envs = [...new Set(modelFiles.map((f) => parseEnvironmentFile(f, tree)).filter((e): e is string => e !== undefined))].sort();
  const components = modelFiles.map((f) => parseComponentFile(f, tree)).filter((c): c is NonNullable<typeof c> => c !== undefined);
  const found: Deployment[] = [];
  for (const env of envs) {
    for (const { layer, component } of components) {
      const file = overlayFile(layer, component, env, KUSTOMIZATION_FILE, tree);
      if (existsSync(join(workspaceRoot, file))) found.push({ env, component, file });
    }
  }
  return found.sort((a, b) => a.env.localeCompare(b.env) || a.component.localeCompare(b.component));
}
