/**
 * createDependencies: edges from what the tree declares.
 *
 * - component → component: each `dependsOn` of component.yaml (source file:
 *   that component.yaml), and each chart source a base HelmRelease uses that
 *   another component's base defines (source file: the HelmRelease file);
 * - environment → component: each component with an overlay for the
 *   environment (it is deployed there). The overlay is a file of the component,
 *   not of the environment, so the edge is implicit (no source file).
 *
 * A reference to a component that does not exist adds no edge and throws
 * nothing: validation reports it with file and line. Every `nx` command must
 * keep working on a broken tree.
 */
import type { CreateDependencies, CreateDependenciesContext, DependencyType, RawProjectGraphDependency } from '@nx/devkit';
import { componentBase, componentsDir, environmentProjectName } from '../model/layout';
import { componentEdges, TreeModel } from '../model/tree-model';
import { chartSourceFactsOf } from './chart-sources';
import { GraphCache, graphCache, hashParts, pluginCodeVersion } from './graph-cache';
import { GitopsPluginOptions, normalizePluginOptions, NormalizedPluginOptions } from './options';
import { latestTreeState, loadTreeState, TreeState } from './tree-state';

/**
 * `DependencyType.static` without loading @nx/devkit at run time (its entry
 * loads much of Nx, which every graph computation would pay for).
 */
const STATIC_EDGE = 'static' as DependencyType.static;
const IMPLICIT_EDGE = 'implicit' as DependencyType.implicit;

/** Edges come from the graph cache when the tree, the projects and the base files are as they were. */
export const createDependencies: CreateDependencies<GitopsPluginOptions> = (rawOptions, context) => {
  const options = normalizePluginOptions(rawOptions);
  const state = latestTreeState(options.tree) ?? loadTreeState(context.workspaceRoot, allFiles(context), options.tree);
  const cache = graphCache(context.workspaceRoot);
  const key = dependenciesKey(state, options, context);
  let deps = cache.dependencies(key);
  if (!deps) {
    deps = unique([...dependsOnEdges(state.model, context), ...chartSourceEdges(state.model, context, cache), ...deploymentEdges(state)]);
    cache.setDependencies(key, deps);
    cache.save();
  }
  return keepKnownProjects(deps, context);
};

/** What the edges are computed from: the tree state, the projects Nx knows, and the Nx hash of every component base file. */
function dependenciesKey(state: TreeState, options: NormalizedPluginOptions, context: CreateDependenciesContext): string {
  const parts = [pluginCodeVersion(), JSON.stringify(options), state.key];
  const componentsRoot = componentsDir(options.tree) + '/';
  for (const name of Object.keys(context.projects).sort()) {
    const root = context.projects[name].root;
    parts.push(name, root);
    if (!root.startsWith(componentsRoot)) continue;
    const [layer, component] = root.slice(componentsRoot.length).split('/');
    const base = componentBase(layer, component ?? '', options.tree) + '/';
    for (const f of context.fileMap.projectFileMap[name] ?? []) if (f.file.startsWith(base)) parts.push(f.file, f.hash);
  }
  return hashParts(parts);
}

/** Also to a component whose own component.yaml does not parse: it is still a project of the tree. */
function dependsOnEdges(model: TreeModel, context: CreateDependenciesContext): RawProjectGraphDependency[] {
  const { edges, missing } = componentEdges(model);
  const componentsRoot = componentsDir(model.root) + '/';
  const unparsed = missing.filter((m) => context.projects[m.ref.name]?.root?.startsWith(componentsRoot));
  return [...edges.map((e) => ({ from: e.from, to: e.to.name })), ...unparsed.map((m) => ({ from: m.from, to: m.ref.name }))]
    .filter((e) => e.from.name !== e.to)
    .map((e) => ({ source: e.from.name, target: e.to, sourceFile: e.from.file, type: STATIC_EDGE }));
}

function chartSourceEdges(model: TreeModel, context: CreateDependenciesContext, cache: GraphCache): RawProjectGraphDependency[] {
  const definedBy = new Map<string, string>();
  const uses: { component: string; file: string; source: string }[] = [];
  for (const c of model.components.values()) {
    const base = componentBase(c.layer, c.name, model.root) + '/';
    for (const f of context.fileMap.projectFileMap[c.name] ?? []) {
      if (!f.file.startsWith(base) || !/\.ya?ml$/.test(f.file)) continue;
      const facts = cache.facts(f.file, f.hash, () => chartSourceFactsOf(context.workspaceRoot, f.file));
      for (const s of facts.defines) if (!definedBy.has(s)) definedBy.set(s, c.name);
      for (const s of facts.uses) uses.push({ component: c.name, file: f.file, source: s });
    }
  }
  return uses
    .map((u) => ({ ...u, target: definedBy.get(u.source) }))
    .filter((u): u is typeof u & { target: string } => u.target !== undefined && u.target !== u.component)
    .map((u) => ({ source: u.component, target: u.target, sourceFile: u.file, type: STATIC_EDGE }));
}

function deploymentEdges(state: TreeState): RawProjectGraphDependency[] {
  return state.deployments.map((d) => ({ source: environmentProjectName(d.env), target: d.component, type: IMPLICIT_EDGE }));
}

/** Nx refuses edges to unknown projects or from files it does not know; such an edge is dropped, never thrown. */
function keepKnownProjects(deps: RawProjectGraphDependency[], context: CreateDependenciesContext): RawProjectGraphDependency[] {
  const filesOf = new Map<string, Set<string>>();
  const knows = (project: string, file: string): boolean => {
    if (!filesOf.has(project)) filesOf.set(project, new Set((context.fileMap.projectFileMap[project] ?? []).map((f) => f.file)));
    return filesOf.get(project)!.has(file);
  };
  return deps.filter((d) => {
    if (!context.projects[d.source] || !context.projects[d.target]) return false;
    return !('sourceFile' in d) || !d.sourceFile || knows(d.source, d.sourceFile);
  });
}

function unique(deps: RawProjectGraphDependency[]): RawProjectGraphDependency[] {
  const seen = new Set<string>();
  return deps.filter((d) => {
    const key = `${d.source}\0${d.target}\0${'sourceFile' in d ? d.sourceFile : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function allFiles(context: CreateDependenciesContext): string[] {
  const files = context.fileMap.nonProjectFiles.map((f) => f.file);
  for (const list of Object.values(context.fileMap.projectFileMap)) for (const f of list) files.push(f.file);
  return files;
}
