/**
 * From what a source deploys to the components to write: each release's layer (the blueprint
 * its chart matches, else --default-layer, else the layer whose namespace it deploys to), its
 * environments (the source's that the tree has, or all), its dependencies (`needs`, and a
 * matched blueprint's where those components exist), and the order to write them in (what a
 * component depends on first). What cannot be imported is skipped and reported.
 */
import { Blueprint } from '../../model/catalog';
import { ChartRef } from '../../model/component';
import { Layer } from '../../model/platform';
import { walkDependencies } from '../../model/tree-model';
import { assertChartVersion, assertDnsLabel, GitopsInputError, repoKind } from '../../model/vocabulary';
import { ComponentSource } from '../component/normalize';
import { ComponentGeneratorSchema } from '../component/schema';
import { Workspace } from '../shared/workspace';
import { EVERY_ENVIRONMENT, ImportedItem, ImportedRelease, SkipItem, SkippedItem } from './formats/source';

export interface PlannedComponent {
  item: ImportedItem;
  schema: ComponentGeneratorSchema;
  source: ComponentSource;
  layer: string;
  environments: string[];
  exists: boolean;
}

export interface ImportPlanInput {
  items: ImportedItem[];
  workspace: Workspace;
  catalog: Blueprint[];
  /** The environments to import into (--environments, else every one). */
  environments: string[];
  defaultLayer?: Layer;
}

/** Charts match by repository and chart name; a repository URL's trailing slash and letter case of scheme and host do not count. */
export function sameChart(a: ChartRef, b: ChartRef): boolean {
  const repo = (url: string) => url.replace(/\/+$/, '').replace(/^([a-z]+:\/\/[^/]+)/i, (m) => m.toLowerCase());
  return a.name === b.name && repo(a.repository) === repo(b.repository);
}

export function matchBlueprint(item: ImportedItem, catalog: Blueprint[]): Blueprint | undefined {
  if (item.kind === 'helm') return catalog.find((bp) => bp.chart && sameChart(bp.chart, item.chart));
  return catalog.find((bp) => bp.manifests && bp.name === item.name);
}

function chooseLayer(item: ImportedItem, input: ImportPlanInput, blueprint?: Blueprint): string {
  if (blueprint) return blueprint.layer;
  const byNamespace = input.workspace.platform.layers.find((l) => l.namespace === item.namespace);
  if (item.kind === 'manifests' && byNamespace) return byNamespace.name;
  if (input.defaultLayer) return input.defaultLayer.name;
  if (byNamespace) return byNamespace.name;
  throw new GitopsInputError(
    `${item.at.file}:${item.at.line}: ${item.kind === 'helm' ? `chart '${item.chart.name}' of release '${item.name}'` : `manifests '${item.name}'`} matches no blueprint of the catalog and namespace '${item.namespace}' is no layer's; give --default-layer, one of: ${input.workspace.platform.layers.map((l) => l.name).join(', ')}.`,
  );
}

/** The tree's environments the item goes to, and the source's environments the tree lacks. */
function chooseEnvironments(item: ImportedItem, input: ImportPlanInput): { environments: string[]; missing: string[] } {
  if (item.kind === 'manifests' || item.values.has(EVERY_ENVIRONMENT)) return { environments: input.environments, missing: [] };
  const theirs = [...item.values.keys()];
  const all = input.workspace.environments.map((e) => e.name);
  return { environments: input.environments.filter((e) => theirs.includes(e)), missing: theirs.filter((e) => !all.includes(e)) };
}

function checkItem(item: ImportedItem, exists: boolean): void {
  try {
    assertDnsLabel('Component name', item.name);
  } catch (e) {
    throw new SkipItem(`${(e as Error).message} Rename the release in the source, or import it and rename it with 'nx g @mlops/gitops:rename'.`);
  }
  if (!item.namespace) throw new SkipItem(`'${item.name}' names no namespace; give the release (or the objects) a namespace in the source`);
  if (item.kind !== 'helm') return;
  try {
    repoKind(item.chart.repository);
    if (item.version !== undefined) assertChartVersion(item.version);
  } catch (e) {
    throw new SkipItem((e as Error).message);
  }
  if (item.version === undefined && !exists) {
    throw new SkipItem(
      `release '${item.name}' pins no chart version, so the version it runs is unknown; pin it in the source (helm list -n ${item.namespace} shows it)`,
    );
  }
}

function overlayValues(item: ImportedRelease, environments: string[]): Map<string, Record<string, unknown>> {
  const shared = item.values.get(EVERY_ENVIRONMENT);
  return new Map(environments.map((env) => [env, shared ?? item.values.get(env) ?? {}]));
}

interface Candidate {
  item: ImportedItem;
  blueprint?: Blueprint;
  layer: string;
  environments: string[];
  exists: boolean;
}

function candidates(input: ImportPlanInput, skipped: SkippedItem[]): Candidate[] {
  const seen = new Map<string, ImportedItem>();
  const missingEnvs = new Set<string>();
  const out: Candidate[] = [];
  for (const item of input.items) {
    const what = `${item.kind === 'helm' ? 'release' : 'manifests'} ${item.name}`;
    const first = seen.get(item.name);
    if (first) {
      skipped.push({ ...item.at, what, reason: `'${item.name}' is already imported from ${first.at.file}:${first.at.line}` });
      continue;
    }
    seen.set(item.name, item);
    const exists = input.workspace.model.components.has(item.name);
    try {
      checkItem(item, exists);
      const blueprint = matchBlueprint(item, input.catalog);
      const { environments, missing } = chooseEnvironments(item, input);
      for (const env of missing.filter((e) => !missingEnvs.has(e))) {
        missingEnvs.add(env);
        skipped.push({
          ...item.at,
          what: `environment ${env}`,
          reason: `the source deploys to '${env}', which the tree has no environment of; create it with 'nx g @mlops/gitops:environment ${env}' and import again`,
        });
      }
      if (environments.length === 0)
        throw new SkipItem(
          `none of its environments (${[...(item.kind === 'helm' ? item.values.keys() : [])].join(', ')}) is one of the chosen ones (${input.environments.join(', ')})`,
        );
      out.push({ item, blueprint, layer: chooseLayer(item, input, blueprint), environments, exists });
    } catch (e) {
      if (!(e instanceof SkipItem)) throw e;
      skipped.push({ ...item.at, what, reason: e.message });
    }
  }
  return out;
}

/** `needs` the tree or this import has; a blueprint's dependencies only where those components exist and are deployed in the same environments. */
function dependencies(c: Candidate, byName: Map<string, Candidate>, input: ImportPlanInput, skipped: SkippedItem[]): string[] {
  const known = (name: string) => byName.has(name) || input.workspace.model.components.has(name);
  const deployedWhereMe = (name: string) => {
    const envs = byName.get(name)?.environments ?? [...(input.workspace.model.components.get(name)?.overlays.keys() ?? [])];
    return c.environments.every((e) => envs.includes(e));
  };
  const needs = c.item.kind === 'helm' ? c.item.needs : [];
  for (const n of needs.filter((x) => !known(x))) {
    skipped.push({
      ...c.item.at,
      what: `needs ${n} of ${c.item.name}`,
      reason: `'${n}' is neither imported nor a component of the tree; the dependency is left out`,
    });
  }
  const fromBlueprint = (c.blueprint?.dependsOn ?? []).filter((d) => known(d) && deployedWhereMe(d));
  return [...new Set([...needs.filter(known), ...fromBlueprint])].sort();
}

function toPlanned(c: Candidate, dependsOn: string[], input: ImportPlanInput): PlannedComponent {
  const { item } = c;
  const schema: ComponentGeneratorSchema = {
    name: item.name,
    layer: c.layer,
    kind: item.kind,
    namespace: item.namespace,
    environments: c.environments,
    // An existing component keeps its dependencies; a new one gets the source's.
    ...(c.exists ? {} : { dependsOn }),
    ...(item.kind === 'helm' ? { chart: item.chart.name, repo: item.chart.repository, chartVersion: item.version } : {}),
    skipFormat: true,
  };
  const source: ComponentSource = {
    workspace: input.workspace,
    blueprint: c.blueprint,
    adoptRelease: item.kind === 'helm' ? item.name : undefined,
    content: item.kind === 'helm' ? { baseValues: {}, overlayValues: overlayValues(item, c.environments) } : { manifests: item.objects },
  };
  return { item, schema, source, layer: c.layer, environments: c.environments, exists: c.exists };
}

export function planImport(input: ImportPlanInput): { components: PlannedComponent[]; skipped: SkippedItem[] } {
  const skipped: SkippedItem[] = [];
  const list = candidates(input, skipped);
  const byName = new Map(list.map((c) => [c.item.name, c]));
  const deps = new Map(list.map((c) => [c.item.name, dependencies(c, byName, input, skipped)]));
  const walk = walkDependencies(
    list.map((c) => c.item.name),
    (n) => (deps.get(n) ?? []).filter((d) => byName.has(d)),
  );
  if (walk.cycles.length) {
    const cycle = walk.cycles[0];
    const at = byName.get(cycle[0])!.item.at;
    throw new GitopsInputError(`${at.file}:${at.line}: the releases' needs form a cycle: ${cycle.join(' -> ')}; a component cannot wait for itself.`);
  }
  const components = walk.order.filter((n) => byName.has(n)).map((n) => toPlanned(byName.get(n)!, deps.get(n)!, input));
  return { components, skipped };
}
