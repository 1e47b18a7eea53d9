/**
 * Stage 5, references: what objects name must exist in the same scope (an
 * environment in layout mode, the whole run otherwise): chart sources,
 * dependsOn targets, Flux Kustomization and Argo CD Application paths,
 * AppProjects; and no two sources define the same object in one environment.
 * Layout mode adds the component graph: missing components, the layer rule
 * and cycles, from model/tree-model and model/platform.
 */
import { posix } from 'node:path';
import { findLayer, layerViolationMessage, mayDependOn } from '../../model/platform';
import { componentEdges, findCycles, layerOf, TreeModel } from '../../model/tree-model';
import { Finding } from '../types';
import { LoadedTree } from './1-load';
import { groupOf, lineIn, metadataOf, resourceId, resourceName, shortName, Subject } from './subject';

export interface ReferenceOptions {
  /** Flux GitRepository names that stand for this repository (spec.path is checked only for them). */
  ownSources: string[];
  /** Whether Argo CD Application paths are in this repository (checked only then). */
  isOwnRepo: (repoURL: string) => boolean;
  /** Report the same object defined by two directories of one scope (layout mode). */
  duplicates: boolean;
}

export function checkReferences(subjects: Subject[], tree: LoadedTree, options: ReferenceOptions): Finding[] {
  const findings: Finding[] = [];
  const byScope = new Map<string, Subject[]>();
  for (const s of subjects) byScope.set(s.scope, [...(byScope.get(s.scope) ?? []), s]);
  for (const scoped of byScope.values()) {
    const index = indexByKindName(scoped);
    for (const s of scoped) {
      findings.push(...chartSourceRefs(tree, s, index), ...dependsOnRefs(tree, s, index), ...pathRefs(tree, s, options), ...projectRefs(tree, s, index));
    }
    if (options.duplicates) findings.push(...duplicateResources(tree, scoped));
  }
  return findings;
}

type Index = Map<string, Subject[]>;

function indexByKindName(subjects: Subject[]): Index {
  const index: Index = new Map();
  for (const s of subjects) {
    const key = `${s.object.kind}|${metadataOf(s.object).name}`;
    index.set(key, [...(index.get(key) ?? []), s]);
  }
  return index;
}

function exists(index: Index, kind: string, name: string, namespace: string | undefined): boolean {
  const hits = index.get(`${kind}|${name}`) ?? [];
  return hits.some((h) => namespace === undefined || metadataOf(h.object).namespace === undefined || metadataOf(h.object).namespace === namespace);
}

function spec(s: Subject): Record<string, unknown> {
  const v = s.object.spec;
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

function ref(tree: LoadedTree, s: Subject, path: (string | number)[], rule: string, message: string, hint: string): Finding {
  return { target: s.target ?? '', file: s.file, line: lineIn(tree, s, path), rule, severity: 'error', message, hint, resource: resourceName(s.object) };
}

function chartSourceRefs(tree: LoadedTree, s: Subject, index: Index): Finding[] {
  if (s.object.kind !== 'HelmRelease' || groupOf(String(s.object.apiVersion)) !== 'helm.toolkit.fluxcd.io') return [];
  const sp = spec(s);
  const ownNs = metadataOf(s.object).namespace;
  const out: Finding[] = [];
  const chartSpec = ((sp.chart as Record<string, unknown> | undefined)?.spec ?? undefined) as Record<string, unknown> | undefined;
  const candidates: [Record<string, unknown> | undefined, (string | number)[]][] = [
    [chartSpec?.sourceRef as Record<string, unknown> | undefined, ['spec', 'chart', 'spec', 'sourceRef', 'name']],
    [sp.chartRef as Record<string, unknown> | undefined, ['spec', 'chartRef', 'name']],
  ];
  for (const [r, path] of candidates) {
    if (!r || typeof r.name !== 'string' || typeof r.kind !== 'string') continue;
    const ns = typeof r.namespace === 'string' ? r.namespace : ownNs;
    if (exists(index, r.kind, r.name, ns)) continue;
    out.push(ref(tree, s, path, 'ref-chart-source',
      `HelmRelease '${shortName(s.object)}' uses ${r.kind} '${ns ? ns + '/' : ''}${r.name}', which is not defined in ${scopeName(s)}.`,
      `Define the ${r.kind} (e.g. in the component's base source.yaml) or fix the name.`));
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
    return [ref(tree, s, ['spec', 'dependsOn', i, 'name'], 'ref-depends-on',
      `${s.object.kind} '${shortName(s.object)}' depends on ${s.object.kind} '${d.name}', which is not defined in ${scopeName(s)}.`,
      `Add the ${s.object.kind} '${d.name}' or remove it from dependsOn.`)];
  });
}

function pathRefs(tree: LoadedTree, s: Subject, options: ReferenceOptions): Finding[] {
  const group = groupOf(String(s.object.apiVersion));
  const sp = spec(s);
  const checks: { path: string; at: (string | number)[] }[] = [];
  if (group === 'kustomize.toolkit.fluxcd.io' && s.object.kind === 'Kustomization') {
    const source = (sp.sourceRef ?? {}) as Record<string, unknown>;
    if (typeof sp.path === 'string' && options.ownSources.includes(String(source.name))) checks.push({ path: sp.path, at: ['spec', 'path'] });
  }
  if (group === 'argoproj.io' && s.object.kind === 'Application') {
    const sources: [Record<string, unknown>, (string | number)[]][] = [];
    if (sp.source && typeof sp.source === 'object') sources.push([sp.source as Record<string, unknown>, ['spec', 'source']]);
    (Array.isArray(sp.sources) ? sp.sources : []).forEach((x, i) => sources.push([x as Record<string, unknown>, ['spec', 'sources', i]]));
    for (const [src, at] of sources) {
      if (typeof src.path === 'string' && typeof src.repoURL === 'string' && options.isOwnRepo(src.repoURL)) checks.push({ path: src.path, at: [...at, 'path'] });
    }
  }
  return checks.flatMap(({ path, at }) => {
    const dir = posix.normalize(path.replace(/^\.\//, '')).replace(/\/$/, '');
    if (tree.reader.isDirectory(dir === '.' ? '' : dir)) return [];
    return [ref(tree, s, at, 'ref-path',
      `${s.object.kind} '${shortName(s.object)}' points to path '${path}', which does not exist in the repository.`,
      'Paths are relative to the repository root; fix the path or create the directory.')];
  });
}

function projectRefs(tree: LoadedTree, s: Subject, index: Index): Finding[] {
  if (s.object.kind !== 'Application' || groupOf(String(s.object.apiVersion)) !== 'argoproj.io') return [];
  const project = spec(s).project;
  if (typeof project !== 'string' || project === 'default' || exists(index, 'AppProject', project, undefined)) return [];
  return [ref(tree, s, ['spec', 'project'], 'ref-app-project',
    `Application '${shortName(s.object)}' uses AppProject '${project}', which is not defined in ${scopeName(s)}.`,
    `Add an AppProject named '${project}' or use an existing project.`)];
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

/** Layout mode: component dependencies must exist, respect the layer order and not loop. */
export function checkComponentGraph(model: TreeModel, componentTargets: Set<string> | 'all'): Finding[] {
  const out: Finding[] = [];
  const wanted = (dir: string) => componentTargets === 'all' || componentTargets.has(dir);
  const { edges, missing } = componentEdges(model);
  for (const m of missing) {
    if (!wanted(m.from.dir)) continue;
    out.push({
      target: m.from.dir, file: m.ref.file, line: m.ref.line, rule: 'ref-depends-on', severity: 'error',
      message: `Component '${m.from.name}' depends on '${m.ref.name}', which is not a component; existing components: ${[...model.components.keys()].sort().join(', ') || 'none'}.`,
      hint: `Create it with \`nx g @mlops/gitops:component ${m.ref.name}\` or fix the name.`,
    });
  }
  if (model.platform) {
    for (const e of edges) {
      if (!wanted(e.from.dir)) continue;
      const from = layerOf(model, e.from);
      const to = layerOf(model, e.to);
      if (!from || !to || mayDependOn(from, to)) continue;
      out.push({
        target: e.from.dir, file: e.declaredAt.file, line: e.declaredAt.line, rule: 'layer-violation', severity: 'error',
        message: layerViolationMessage({ component: e.from.name, layer: from }, { component: e.to.name, layer: to }),
        hint: `Move '${e.to.name}' to layer ${from.name} or lower, or drop the dependency.`,
      });
    }
    for (const c of model.components.values()) {
      if (!wanted(c.dir) || layerOf(model, c)) continue;
      try {
        findLayer(model.platform, c.layer);
      } catch (err) {
        out.push({ target: c.dir, file: c.file, line: 1, rule: 'config-invalid', severity: 'error', message: (err as Error).message, hint: 'Move the component under an existing layer folder or add the layer to platform.yaml.' });
      }
    }
  }
  for (const cycle of findCycles(model)) {
    const first = model.components.get(cycle[0])!;
    const edge = edges.find((e) => e.from.name === cycle[0] && e.to.name === cycle[1]);
    if (!wanted(first.dir) && !cycle.some((n) => wanted(model.components.get(n)!.dir))) continue;
    out.push({
      target: first.dir, file: edge?.declaredAt.file ?? first.file, line: edge?.declaredAt.line ?? 1, rule: 'dependency-cycle', severity: 'error',
      message: `Components depend on each other in a cycle: ${cycle.join(' → ')}.`,
      hint: 'Remove one dependsOn entry of the loop.',
    });
  }
  return out;
}
