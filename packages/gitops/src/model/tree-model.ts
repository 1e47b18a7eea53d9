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
  HELMRELEASE_FILE,
  KUSTOMIZATION_FILE,
  OVERLAYS_DIR,
  BASE_DIR,
  parseComponentFile,
  parseEnvironmentFile,
  platformFile,
  SOURCE_FILE,
  TreeRoot,
  VERSION_PATCH_FILE,
} from './layout';
import { chartOf, Component, Overlay, Reference, versionIn } from './component';
import { parseComponentConfig, SecretEntry, withLine } from './component-config';
import { EnvironmentSettings, resolveSettings } from './environment-settings';
import { Layer, parsePlatform, Platform } from './platform';
import { parseYamlFile, readYaml } from './yaml-io';

export type { Component, Reference };

export interface EnvironmentModel {
  name: string;
  dir: string;
  file: string;
  /** The keys environment.yaml writes, as written. */
  settings: Record<string, unknown>;
  /**
   * The settings with every default applied (`resolveSettings`: production is manual and pinned
   * unless it says otherwise); undefined when a key holds a value of the wrong kind.
   */
  resolved?: EnvironmentSettings;
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
  components: Map<string, Component>;
  environments: Map<string, EnvironmentModel>;
  problems: ModelProblem[];
}

export interface SourceFile {
  path: string;
  text: string;
}

/**
 * Builds the model from the files given: platform.yaml, every component.yaml and environment.yaml.
 * A component's chart and overlays are added by attachComponentParts where a caller needs them.
 */
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
  for (const c of model.components.values()) resolveNamespace(model, c);
  for (const env of model.environments.values()) resolveEnvironment(model, env);
  // A platform.yaml that is present but invalid is reported as such (platform-invalid), not also as missing.
  if (!model.platform && !model.problems.some((p) => p.file === model.platformFile)) {
    model.problems.push({
      file: model.platformFile,
      line: 1,
      rule: 'platform-missing',
      message: `${model.platformFile} is missing: it lists the layers.`,
    });
  }
  return model;
}

function readPlatform(model: TreeModel, f: SourceFile): void {
  try {
    model.platform = parsePlatform(f.path, f.text);
  } catch (e) {
    model.problems.push({
      file: f.path,
      line: 1,
      rule: 'platform-invalid',
      message: (e as Error).message,
    });
  }
}

function readComponent(model: TreeModel, f: SourceFile, layer: string, name: string): void {
  const { config, problems } = parseComponentConfig(f.path, f.text);
  model.problems.push(...problems);
  if (!config) return;
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
    kind: config.kind,
    namespace: config.namespace ?? layer,
    declaredNamespace: config.namespace,
    dependsOn: config.dependsOn.map((d) => withLine({ name: d.name, file: f.path }, () => d.line)),
    description: config.description,
    releaseName: config.releaseName ?? name,
    crds: false,
    overlays: new Map(),
    secrets: config.secrets.map((s) => withLine(secretWithoutLine(s), () => s.line)),
  });
}

/** A secrets entry as the model keeps it (its namespace resolved later), its line still read on first use. */
function secretWithoutLine(s: SecretEntry): Omit<SecretEntry, 'line'> & { namespace: string } {
  const { name, description, keys, providedBy } = s;
  return {
    name,
    namespace: s.namespace ?? '',
    ...(description !== undefined ? { description } : {}),
    keys,
    ...(providedBy !== undefined ? { providedBy } : {}),
  };
}

/** A component whose component.yaml does not parse: still a project (validation reports why), with nothing known of it. */
export function unreadableComponent(layer: string, name: string, file: string, root: TreeRoot): Component {
  return {
    name,
    layer,
    dir: componentDir(layer, name, root),
    file,
    kind: 'helm',
    namespace: layer,
    dependsOn: [],
    releaseName: name,
    crds: false,
    overlays: new Map(),
    secrets: [],
  };
}

/** A component without its own namespace deploys into its layer's (the layer folder's name when platform.yaml lacks the layer). */
function resolveNamespace(model: TreeModel, c: Component): void {
  if (c.declaredNamespace === undefined) c.namespace = layerOf(model, c)?.namespace ?? c.layer;
  for (const s of c.secrets) if (!s.namespace) s.namespace = c.namespace;
}

/** What the lazy reader needs of a file tree (the Nx Tree through derive's TreeView, the disk). */
export interface PartReader {
  read(path: string): string | null;
  children(dir: string): string[];
  isFile(path: string): boolean;
}

/**
 * The same facts as readComponentParts, read on first use: where each component has an overlay
 * (a file check per environment folder), and its chart and each overlay's version only when
 * someone asks (derive asks for them for Argo CD environments only). Generators read a tree of
 * hundreds of components this way without parsing thousands of files they do not need.
 */
export function attachComponentParts(model: TreeModel, files: PartReader): void {
  for (const c of model.components.values()) {
    const base = `${c.dir}/${BASE_DIR}`;
    let chart: { chart?: Component['chart']; crds: boolean } | undefined;
    const chartFacts = () => {
      if (!chart) {
        chart = { crds: false };
        const facts = chart;
        tolerant(() => Object.assign(facts, chartOf(files.read(`${base}/${SOURCE_FILE}`), files.read(`${base}/${HELMRELEASE_FILE}`), base)));
      }
      return chart;
    };
    Object.defineProperty(c, 'chart', { get: () => chartFacts().chart, enumerable: true, configurable: true });
    Object.defineProperty(c, 'crds', { get: () => chartFacts().crds, enumerable: true, configurable: true });
    const overlays = `${c.dir}/${OVERLAYS_DIR}`;
    for (const env of files.children(overlays)) {
      if (!files.isFile(`${overlays}/${env}/${KUSTOMIZATION_FILE}`)) continue;
      const path = `${overlays}/${env}/${VERSION_PATCH_FILE}`;
      let version: { value?: string } | undefined;
      const overlay = { env } as Overlay;
      Object.defineProperty(overlay, 'version', {
        get: () => {
          if (!version) {
            const read: { value?: string } = {};
            const text = files.read(path);
            const chartRef = c.chart;
            if (text !== null && chartRef) tolerant(() => (read.value = versionIn(chartRef, readYaml(path, text))));
            version = read;
          }
          return version.value;
        },
        enumerable: true,
        configurable: true,
      });
      c.overlays.set(env, overlay);
    }
  }
}

/** A base file that does not parse leaves the fact unknown; validation reports the file itself. */
function tolerant(read: () => void): void {
  try {
    read();
  } catch {
    // reported by validation (yaml-syntax) at the file
  }
}

function readEnvironment(model: TreeModel, f: SourceFile, name: string): void {
  const parsed = parseYamlFile(f.path, f.text);
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    model.problems.push({
      file: f.path,
      line: e.line,
      rule: 'yaml-syntax',
      message: e.message,
    });
    return;
  }
  const value = parsed.documents[0]?.value;
  const settings = (value && typeof value === 'object' && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  model.environments.set(name, {
    name,
    dir: environmentEntry(name, model.root),
    file: f.path,
    settings,
  });
}

/** Applies the one defaults rule once the platform (its default engine) is known. */
function resolveEnvironment(model: TreeModel, env: EnvironmentModel): void {
  try {
    env.resolved = resolveSettings(env.settings, env.name, model.platform, env.file);
  } catch {
    // A value of the wrong kind: validation reports it at its key (config-invalid).
    env.resolved = undefined;
  }
}

export function layerOf(model: Pick<TreeModel, 'platform'>, component: Pick<Component, 'layer'>): Layer | undefined {
  return model.platform?.layers.find((l) => l.name === component.layer);
}

export interface DependencyEdge {
  from: Component;
  to: Component;
  declaredAt: Reference;
}

/** Edges declared in component.yaml; references to missing components are returned separately. */
export function componentEdges(model: TreeModel): {
  edges: DependencyEdge[];
  missing: { from: Component; ref: Reference }[];
} {
  const edges: DependencyEdge[] = [];
  const missing: { from: Component; ref: Reference }[] = [];
  for (const c of model.components.values()) {
    for (const ref of c.dependsOn) {
      const to = model.components.get(ref.name);
      if (to) edges.push({ from: c, to, declaredAt: ref });
      else missing.push({ from: c, ref });
    }
  }
  return { edges, missing };
}

/** What a walk over dependencies found: every cycle, and the names in dependency order. */
export interface DependencyWalk {
  /** Each cycle as the names around the loop, first name repeated at the end. */
  cycles: string[][];
  /** Every name reached, each after what it depends on (ties in the order given). */
  order: string[];
}

/**
 * The one walk over a dependency relation (depth first from each root in the order given, then
 * its dependencies in the order `dependsOn` returns them): cycles and a topological order.
 * Used by the tree model, the component generator's cycle refusal and tools/regenerate-tree.js.
 */
export function walkDependencies(roots: Iterable<string>, dependsOn: (name: string) => readonly string[]): DependencyWalk {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const order: string[] = [];
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of dependsOn(n)) {
      if (state.get(m) === 'visiting') cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
    order.push(n);
  };
  for (const n of roots) if (!state.has(n)) visit(n);
  return { cycles, order };
}

/** Cycles among components, each as the list of names around the loop. */
export function findCycles(model: TreeModel): string[][] {
  const { edges } = componentEdges(model);
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from.name, [...(next.get(e.from.name) ?? []), e.to.name]);
  return walkDependencies([...next.keys()].sort(), (n) => next.get(n) ?? []).cycles;
}
