/**
 * Stage 5, references: what objects name must exist in the same scope (an
 * environment in layout mode, the whole run otherwise): chart sources,
 * dependsOn targets, Flux Kustomization and Argo CD Application paths,
 * AppProjects; and no two sources define the same object in one environment.
 * Layout mode adds the component graph: missing components, the layer rule
 * and cycles, from model/tree-model and model/platform.
 */
import { posix } from 'node:path';
import { layerViolationMessage, mayDependOn, unknownLayerMessage } from '../../model/platform';
import { parseComponentFile } from '../../model/layout';
import { componentEdges, findCycles, layerOf, TreeModel } from '../../model/tree-model';
import { Finding, RuleId } from '../types';
import { LoadedTree } from './1-load';
import { deployedFolder, isFluxKustomization, OwnSources } from './flux-sources';
import { folderOf, lineIn, placeIn, Subject } from './subject';
import {
  applicationSourcesOf,
  chartRefsOf,
  groupOf,
  isArgoApplication,
  metadataOf,
  resourceId,
  resourceName,
  shortName,
} from '../../model/kubernetes';

export interface ReferenceOptions {
  /** The Flux GitRepositories that are this repository (spec.path is checked only for them). */
  own: OwnSources;
  /** Whether an Argo CD Application source path is in this repository (checked only then). */
  isOwnRepo: (repoURL: string) => boolean;
  /** Report the same object defined by two directories of one scope (layout mode). */
  duplicates: boolean;
  /**
   * Chart sources defined anywhere in the tree (layout mode: every component
   * base), for a HelmRelease whose source another component owns. Consulted
   * only when the HelmRelease's own scope lacks the source, so it is built
   * at most once and usually never.
   */
  treeSources?: () => TreeSource[];
}

/** A chart source as written in the tree, with the component that owns it. */
export interface TreeSource {
  object: Record<string, unknown>;
  file: string;
  /** The owning component, when the layout knows it. */
  owner?: string;
  /** Whether the owner deploys it to an environment. */
  deployedIn(env: string): boolean;
}

export function checkReferences(subjects: Subject[], tree: LoadedTree, options: ReferenceOptions): Finding[] {
  const findings: Finding[] = [];
  const byScope = new Map<string, Subject[]>();
  for (const s of subjects) {
    const list = byScope.get(s.scope);
    if (list) list.push(s);
    else byScope.set(s.scope, [s]);
  }
  const treeSources = lazyIndex(options.treeSources);
  const treeWide = options.treeSources !== undefined;
  for (const scoped of byScope.values()) {
    const index = indexByKindName(scoped);
    let repos: Subject[] | undefined;
    const gitRepositories = () => (repos ??= scoped.filter((x) => x.object.kind === 'GitRepository'));
    for (const s of scoped) {
      if (s.context) continue;
      findings.push(
        ...chartSourceRefs(tree, s, index, treeSources, treeWide),
        ...dependsOnRefs(tree, s, index),
        ...pathRefs(tree, s, options, gitRepositories),
        ...projectRefs(tree, s, index),
      );
    }
    if (options.duplicates) findings.push(...duplicateResources(tree, scoped));
  }
  return findings;
}

type Index<T extends { object: Record<string, unknown> } = Subject> = Map<string, T[]>;

function indexByKindName<T extends { object: Record<string, unknown> }>(items: T[]): Index<T> {
  const index: Index<T> = new Map();
  for (const s of items) {
    const key = `${s.object.kind}|${metadataOf(s.object).name}`;
    const list = index.get(key);
    if (list) list.push(s);
    else index.set(key, [s]);
  }
  return index;
}

function lazyIndex(build: (() => TreeSource[]) | undefined): () => Index<TreeSource> {
  let index: Index<TreeSource> | undefined;
  return () => (index ??= indexByKindName(build ? build() : []));
}

function matches<T extends { object: Record<string, unknown> }>(index: Index<T>, kind: string, name: string, namespace: string | undefined): T[] {
  const hits = index.get(`${kind}|${name}`) ?? [];
  return hits.filter((h) => namespace === undefined || metadataOf(h.object).namespace === undefined || metadataOf(h.object).namespace === namespace);
}

function exists(index: Index, kind: string, name: string, namespace: string | undefined): boolean {
  return matches(index, kind, name, namespace).length > 0;
}

function spec(s: Subject): Record<string, unknown> {
  const v = s.object.spec;
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** A reference of a subject that does not resolve; `at` is the field that names it. */
interface BrokenRef {
  at: (string | number)[];
  rule: RuleId;
  message: string;
  hint: string;
}

function ref(tree: LoadedTree, s: Subject, r: BrokenRef): Finding {
  return {
    target: s.target ?? '',
    ...placeIn(tree, s, r.at),
    rule: r.rule,
    severity: 'error',
    message: r.message,
    hint: r.hint,
    resource: resourceName(s.object),
  };
}

function chartSourceRefs(tree: LoadedTree, s: Subject, index: Index, treeSources: () => Index<TreeSource>, treeWide: boolean): Finding[] {
  const ownNs = metadataOf(s.object).namespace;
  const out: Finding[] = [];
  for (const r of chartRefsOf(s.object)) {
    const ns = r.namespace ?? ownNs;
    if (exists(index, r.kind, r.name, ns)) continue;
    const elsewhere = matches(treeSources(), r.kind, r.name, ns);
    const source = `${r.kind} '${ns ? ns + '/' : ''}${r.name}'`;
    if (elsewhere.some((t) => !s.env || t.deployedIn(s.env))) continue;
    const owners = [...new Set(elsewhere.map((t) => t.owner ?? t.file))];
    out.push(
      ref(tree, s, {
        at: r.at,
        rule: 'ref-chart-source',
        message: owners.length
          ? `HelmRelease '${shortName(s.object)}' uses ${source}, which is defined by ${owners.map((o) => `'${o}'`).join(', ')}, not deployed in ${scopeName(s)}.`
          : `HelmRelease '${shortName(s.object)}' uses ${source}, which is not defined in ${scopeName(s)}${treeWide ? ' nor in any component' : ''}.`,
        hint: owners.length
          ? `Add an overlay for environment '${s.env}' to ${owners.join(', ')} or define the ${r.kind} in this component.`
          : `Define the ${r.kind} (e.g. in the component's base source.yaml) or fix the name.`,
      }),
    );
  }
  return out;
}

function dependsOnRefs(tree: LoadedTree, s: Subject, index: Index): Finding[] {
  const group = groupOf(String(s.object.apiVersion));
  if (group !== 'kustomize.toolkit.fluxcd.io' && group !== 'helm.toolkit.fluxcd.io') return [];
  const deps = Array.isArray(spec(s).dependsOn) ? (spec(s).dependsOn as Record<string, unknown>[]) : [];
  const ownNs = metadataOf(s.object).namespace;
  return deps.flatMap((d, i) => {
    if (!d || typeof d.name !== 'string') return [];
    const ns = typeof d.namespace === 'string' ? d.namespace : ownNs;
    if (exists(index, String(s.object.kind), d.name, ns)) return [];
    return [
      ref(tree, s, {
        at: ['spec', 'dependsOn', i, 'name'],
        rule: 'ref-depends-on',
        message: `${s.object.kind} '${shortName(s.object)}' depends on ${s.object.kind} '${d.name}', which is not defined in ${scopeName(s)}.`,
        hint: `Add the ${s.object.kind} '${d.name}' or remove it from dependsOn.`,
      }),
    ];
  });
}

function pathRefs(tree: LoadedTree, s: Subject, options: ReferenceOptions, gitRepositories: () => Subject[]): Finding[] {
  const sp = spec(s);
  const checks: { path: string; at: (string | number)[] }[] = [];
  // Relative to the root of its source: checked only when that is this repository.
  if (isFluxKustomization(s.object) && typeof sp.path === 'string' && deployedFolder(s, options.own, gitRepositories) !== undefined)
    checks.push({ path: sp.path, at: ['spec', 'path'] });
  for (const { source, at } of applicationSourcesOf(s.object)) {
    if (
      typeof source.path === 'string' &&
      typeof source.chart !== 'string' &&
      typeof source.repoURL === 'string' &&
      options.isOwnRepo(source.repoURL)
    )
      checks.push({ path: source.path, at: [...at, 'path'] });
  }
  return checks.flatMap(({ path, at }) => {
    const dir = folderOf(path);
    if (!dir.startsWith('../') && dir !== '..' && tree.reader.isDirectory(dir)) return [];
    return [
      ref(tree, s, {
        at,
        rule: 'ref-path',
        message: `${s.object.kind} '${shortName(s.object)}' points to path '${path}', which does not exist in the repository.`,
        hint: 'Paths are relative to the repository root; fix the path or create the directory.',
      }),
    ];
  });
}

function projectRefs(tree: LoadedTree, s: Subject, index: Index): Finding[] {
  if (!isArgoApplication(s.object)) return [];
  const project = spec(s).project;
  if (typeof project !== 'string' || project === 'default' || exists(index, 'AppProject', project, undefined)) return [];
  return [
    ref(tree, s, {
      at: ['spec', 'project'],
      rule: 'ref-app-project',
      message: `Application '${shortName(s.object)}' uses AppProject '${project}', which is not defined in ${scopeName(s)}.`,
      hint: `Add an AppProject named '${project}' or use an existing project.`,
    }),
  ];
}

function duplicateResources(tree: LoadedTree, subjects: Subject[]): Finding[] {
  const first = new Map<string, Subject>();
  const out: Finding[] = [];
  for (const s of subjects) {
    const id = resourceId(s.object);
    const prev = first.get(id);
    if (!prev) {
      first.set(id, s);
      continue;
    }
    const where = (x: Subject) => x.dir ?? x.file;
    if (where(prev) === where(s)) continue;
    out.push({
      target: s.target ?? '',
      file: s.file,
      line: lineIn(tree, s, []),
      rule: 'duplicate-resource',
      severity: 'error',
      message: `${resourceName(s.object)} is defined twice in ${scopeName(s)}: by ${where(prev)} and by ${where(s)}.`,
      hint: 'Keep the object in one component; the engines would fight over it.',
      resource: resourceName(s.object),
    });
  }
  return out;
}

function scopeName(s: Subject): string {
  return s.scope ? `environment '${s.scope}'` : 'the validated tree';
}

/** The component.yaml of a component that exists on disk but did not parse, if any. */
function unreadableComponentFile(model: TreeModel, name: string): string | undefined {
  return model.problems.find((p) => parseComponentFile(p.file)?.component === name)?.file;
}

/** Layout mode: component dependencies must exist, respect the layer order and not loop. */
export function checkComponentGraph(model: TreeModel, componentTargets: Set<string> | 'all'): Finding[] {
  const out: Finding[] = [];
  const wanted = (dir: string) => componentTargets === 'all' || componentTargets.has(dir);
  const { edges, missing } = componentEdges(model);
  for (const m of missing) {
    if (!wanted(m.from.dir)) continue;
    const unreadable = unreadableComponentFile(model, m.ref.name);
    out.push(
      unreadable
        ? {
            target: m.from.dir,
            file: m.ref.file,
            line: m.ref.line,
            rule: 'ref-depends-on',
            severity: 'error',
            message: `Component '${m.from.name}' depends on '${m.ref.name}', whose ${unreadable} cannot be read.`,
            hint: `Fix ${unreadable}; its own validate target names the problem.`,
          }
        : {
            target: m.from.dir,
            file: m.ref.file,
            line: m.ref.line,
            rule: 'ref-depends-on',
            severity: 'error',
            message: `Component '${m.from.name}' depends on '${m.ref.name}', which is not a component; existing components: ${[...model.components.keys()].sort().join(', ') || 'none'}.`,
            hint: `Create it with \`nx g @mlops/gitops:component ${m.ref.name}\` or fix the name.`,
          },
    );
  }
  if (model.platform) {
    for (const e of edges) {
      if (!wanted(e.from.dir)) continue;
      const from = layerOf(model, e.from);
      const to = layerOf(model, e.to);
      if (!from || !to || mayDependOn(from, to)) continue;
      out.push({
        target: e.from.dir,
        file: e.declaredAt.file,
        line: e.declaredAt.line,
        rule: 'layer-violation',
        severity: 'error',
        message: layerViolationMessage({ component: e.from.name, layer: from }, { component: e.to.name, layer: to }),
        hint: `Move '${e.to.name}' to layer ${from.name} or lower, or drop the dependency.`,
      });
    }
    for (const c of model.components.values()) {
      if (!wanted(c.dir) || layerOf(model, c)) continue;
      out.push({
        target: c.dir,
        file: c.file,
        line: 1,
        rule: 'config-invalid',
        severity: 'error',
        message: unknownLayerMessage(model.platform, c.layer),
        hint: 'Move the component under an existing layer folder or add the layer to platform.yaml.',
      });
    }
  }
  for (const cycle of findCycles(model)) out.push(...cycleFindings(model, edges, cycle, componentTargets));
  return out;
}

/**
 * A cycle belongs to every member: each requested member gets the finding at
 * its own dependsOn entry of the loop, so whichever member a run validates
 * fails (batch runs split findings by target). Validating the whole tree
 * reports it once, at the first member.
 */
function cycleFindings(
  model: TreeModel,
  edges: ReturnType<typeof componentEdges>['edges'],
  cycle: string[],
  componentTargets: Set<string> | 'all',
): Finding[] {
  const members = cycle.slice(0, -1).map((name, i) => ({ component: model.components.get(name)!, next: cycle[i + 1] }));
  const reported = componentTargets === 'all' ? members.slice(0, 1) : members.filter((m) => componentTargets.has(m.component.dir));
  return reported.map(({ component, next }) => {
    const edge = edges.find((e) => e.from.name === component.name && e.to.name === next);
    return {
      target: component.dir,
      file: edge?.declaredAt.file ?? component.file,
      line: edge?.declaredAt.line ?? 1,
      rule: 'dependency-cycle',
      severity: 'error',
      message: `Components depend on each other in a cycle: ${cycle.join(' → ')}.`,
      hint: `Remove one dependsOn entry of the loop, e.g. '${next}' from ${component.name}'s ${posix.basename(component.file)}.`,
    };
  });
}
