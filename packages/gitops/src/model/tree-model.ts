/**
 * The tree model: what `gitops/` declares, read once. Graph inference and
 * validation both build on it, so a file is parsed in one place only.
 *
 * Input is a list of files with their text (the caller decides how to read:
 * Nx's createNodes context, the Nx Tree, or the disk).
 */
import {
  componentDir,
  environmentEntry,
  GITOPS_ROOT,
  parseComponentFile,
  parseEnvironmentFile,
  platformFile,
  TreeRoot,
} from './layout';
import { Layer, parsePlatform, Platform } from './platform';
import { lineOf, ParsedYamlFile, parseYamlFile } from './yaml-io';

export interface Reference {
  /** The name as written. */
  name: string;
  /** Where it is written. */
  file: string;
  line: number;
}

export interface ComponentModel {
  name: string;
  layer: string;
  dir: string;
  file: string;
  kind: 'helm' | 'manifests';
  namespace?: string;
  dependsOn: Reference[];
}

export interface EnvironmentModel {
  name: string;
  dir: string;
  file: string;
  engine?: string;
  settings: Record<string, unknown>;
}

export interface ModelProblem {
  file: string;
  line: number;
  rule: string;
  message: string;
}

export interface TreeModel {
  root: TreeRoot;
  platformFile: string;
  platform?: Platform;
  components: Map<string, ComponentModel>;
  environments: Map<string, EnvironmentModel>;
  problems: ModelProblem[];
}

export interface SourceFile {
  path: string;
  text: string;
}

export function buildTreeModel(files: Iterable<SourceFile>, root: TreeRoot = { root: GITOPS_ROOT }): TreeModel {
  const model: TreeModel = {
    root,
    platformFile: platformFile(root),
    components: new Map(),
    environments: new Map(),
    problems: [],
  };
  for (const f of files) {
    if (f.path === model.platformFile) readPlatform(model, f);
    const component = parseComponentFile(f.path, root);
    if (component) readComponent(model, f, component.layer, component.component);
    const env = parseEnvironmentFile(f.path, root);
    if (env) readEnvironment(model, f, env);
  }
  for (const env of model.environments.values()) env.engine ??= model.platform?.defaultEngine;
  if (!model.platform) {
    model.problems.push({ file: model.platformFile, line: 1, rule: 'platform-missing', message: `${model.platformFile} is missing: it lists the layers.` });
  }
  return model;
}

function readPlatform(model: TreeModel, f: SourceFile): void {
  try {
    model.platform = parsePlatform(f.path, f.text);
  } catch (e) {
    model.problems.push({ file: f.path, line: 1, rule: 'platform-invalid', message: (e as Error).message });
  }
}

/** Parses a config file; a syntax error becomes a model problem and `undefined`. */
function parseConfig(model: TreeModel, f: SourceFile): { parsed: ParsedYamlFile; raw: Record<string, unknown> } | undefined {
  const parsed = parseYamlFile(f.path, f.text);
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    model.problems.push({ file: f.path, line: e.line, rule: 'yaml-syntax', message: e.message });
    return undefined;
  }
  return { parsed, raw: (parsed.documents[0]?.value ?? {}) as Record<string, unknown> };
}

function readComponent(model: TreeModel, f: SourceFile, layer: string, name: string): void {
  const config = parseConfig(model, f);
  if (!config) return;
  const { parsed, raw } = config;
  const deps = Array.isArray(raw.dependsOn) ? raw.dependsOn : [];
  const previous = model.components.get(name);
  if (previous) {
    model.problems.push({
      file: f.path,
      line: 1,
      rule: 'component-duplicate',
      message: `Component '${name}' is defined twice: in ${previous.dir} and ${componentDir(layer, name, model.root)}.`,
    });
    return;
  }
  model.components.set(name, {
    name,
    layer,
    dir: componentDir(layer, name, model.root),
    file: f.path,
    kind: raw.kind === 'manifests' ? 'manifests' : 'helm',
    namespace: typeof raw.namespace === 'string' ? raw.namespace : undefined,
    dependsOn: deps.map((d, i) => ({ name: String(d), file: f.path, line: lineOf(parsed, 0, ['dependsOn', i]) })),
  });
}

function readEnvironment(model: TreeModel, f: SourceFile, name: string): void {
  const settings = parseConfig(model, f)?.raw;
  if (!settings) return;
  model.environments.set(name, {
    name,
    dir: environmentEntry(name, model.root),
    file: f.path,
    engine: typeof settings.engine === 'string' ? settings.engine : undefined,
    settings,
  });
}

export function layerOf(model: TreeModel, component: ComponentModel): Layer | undefined {
  return model.platform?.layers.find((l) => l.name === component.layer);
}

export interface DependencyEdge {
  from: ComponentModel;
  to: ComponentModel;
  declaredAt: Reference;
}

/** Edges declared in component.yaml; references to missing components are returned separately. */
export function componentEdges(model: TreeModel): { edges: DependencyEdge[]; missing: { from: ComponentModel; ref: Reference }[] } {
  const edges: DependencyEdge[] = [];
  const missing: { from: ComponentModel; ref: Reference }[] = [];
  for (const c of model.components.values()) {
    for (const ref of c.dependsOn) {
      const to = model.components.get(ref.name);
      if (to) edges.push({ from: c, to, declaredAt: ref });
      else missing.push({ from: c, ref });
    }
  }
  return { edges, missing };
}

/** Cycles among components, each as the list of names around the loop. */
export function findCycles(model: TreeModel): string[][] {
  const { edges } = componentEdges(model);
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from.name, [...(next.get(e.from.name) ?? []), e.to.name]);
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === 'visiting') cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...next.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}
