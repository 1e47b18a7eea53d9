/**
 * What the last graph computation produced, kept between nx commands in Nx's
 * workspace data folder (`.nx/workspace-data/mlops-gitops-graph.json`), as
 * Nx's own inference plugins keep theirs. Without the daemon every nx command
 * computes the graph again; with this file an unchanged tree costs reading
 * the files that decide the graph and hashing them, nothing more.
 *
 * - createNodes results, under a hash of everything they are computed from:
 *   the plugin's code, its options, the validator inputs, the text of
 *   platform.yaml, every component.yaml and environment.yaml, and which Flux /
 *   Argo CD entry files exist;
 * - createDependencies results, under that hash plus the projects Nx knows
 *   and the Nx hash of every component base file (chart-source edges);
 * - chart-source facts per base file and Nx file hash, so a changed tree
 *   parses only the base files that changed.
 *
 * One file, rewritten whole (temporary file + rename) when something changed;
 * facts not used by the last computation are dropped, so it stays the size
 * of the tree. A file that does not parse is ignored. Reading, writing and
 * hashing are the package's one content cache (cache/content-cache.ts).
 */
import { join } from 'node:path';
import type { CreateNodesResult, RawProjectGraphDependency } from '@nx/devkit';
import { codeVersion, hashParts, readJson, writeJsonAtomic } from '../cache/content-cache';
import type { ChartSourceFacts } from './chart-sources';

const FORMAT = 'mlops-gitops-graph/1';
const FILE_NAME = 'mlops-gitops-graph.json';

export type NodesResults = Array<readonly [string, CreateNodesResult]>;

interface Stored {
  format: string;
  nodes?: { key: string; results: NodesResults };
  dependencies?: { key: string; deps: RawProjectGraphDependency[] };
  facts: Record<string, ChartSourceFacts>;
}

export interface GraphCache {
  nodes(key: string): NodesResults | undefined;
  setNodes(key: string, results: NodesResults): void;
  dependencies(key: string): RawProjectGraphDependency[] | undefined;
  setDependencies(key: string, deps: RawProjectGraphDependency[]): void;
  /** Facts of a file at an Nx file hash, computed by `compute` when not stored. */
  facts(file: string, hash: string, compute: () => ChartSourceFacts): ChartSourceFacts;
  /** Writes the file when something changed since it was read. */
  save(): void;
}

const open = new Map<string, GraphCache>();

/** The cache of a workspace, read once per process. */
export function graphCache(workspaceRoot: string): GraphCache {
  let cache = open.get(workspaceRoot);
  if (!cache) {
    cache = fileGraphCache(join(workspaceDataDirectory(workspaceRoot), FILE_NAME));
    open.set(workspaceRoot, cache);
  }
  return cache;
}

/** Nx's workspace data folder (it honours NX_WORKSPACE_DATA_DIRECTORY); `.nx/workspace-data` if Nx cannot say. */
function workspaceDataDirectory(workspaceRoot: string): string {
  try {
    const nx = require('nx/src/utils/cache-directory') as { workspaceDataDirectoryForWorkspace(root: string): string };
    return nx.workspaceDataDirectoryForWorkspace(workspaceRoot);
  } catch {
    return join(workspaceRoot, '.nx', 'workspace-data');
  }
}

export function fileGraphCache(path: string): GraphCache {
  const stored = read(path);
  const usedFacts: Record<string, ChartSourceFacts> = {};
  let factsUsed = false;
  let changed = false;
  return {
    nodes: (key) => (stored.nodes?.key === key ? stored.nodes.results : undefined),
    setNodes(key, results) {
      stored.nodes = { key, results };
      changed = true;
    },
    dependencies: (key) => (stored.dependencies?.key === key ? stored.dependencies.deps : undefined),
    setDependencies(key, deps) {
      stored.dependencies = { key, deps };
      changed = true;
    },
    facts(file, hash, compute) {
      const key = `${file}\0${hash}`;
      let facts = usedFacts[key] ?? stored.facts[key];
      if (!facts) {
        facts = compute();
        changed = true;
      }
      usedFacts[key] = facts;
      factsUsed = true;
      return facts;
    },
    save() {
      if (!changed) return;
      // The facts of this computation replace the stored ones: facts of files that are gone or changed are dropped.
      if (factsUsed) stored.facts = usedFacts;
      write(path, stored);
      changed = false;
    },
  };
}

function read(path: string): Stored {
  const stored = readJson<Stored>(path);
  return stored?.format === FORMAT && stored.facts && typeof stored.facts === 'object' ? stored : { format: FORMAT, facts: {} };
}

function write(path: string, stored: Stored): void {
  writeJsonAtomic(path, stored);
}

export { hashParts };

/** A hash of this package's compiled graph and model code: a rebuilt plugin never reuses an old result. */
export function pluginCodeVersion(): string {
  return codeVersion([__dirname, join(__dirname, '..', 'model')]);
}
