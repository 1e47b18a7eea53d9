/**
 * The Flux side of an environment: clusters/<env>/kustomization.yaml lists namespaces.yaml and
 * every flux/*.yaml; namespaces.yaml holds the namespaces of the components flux/ deploys; each
 * Flux Kustomization's dependsOn is component.yaml's, limited to what the environment deploys.
 */
import { Tree } from '@nx/devkit';
import { EnvironmentSettings } from '../../model/environment-settings';
import { environmentEntry, environmentFile, environmentKustomization, fluxEntryFile, namespacesFile, relativeTo } from '../../model/layout';
import { readYaml } from '../../model/yaml-io';
import { ComponentSpec, fluxKustomization } from '../../manifests';
import { setYamlField } from '../shared/files';
import { fluxEntries, NamespaceOf, setEnvironmentEntries, setFluxDependsOn, setNamespaces, usesFlux } from '../shared/wiring';
import { readText } from '../shared/workspace';
import { DriftLog } from './drift';

export function syncFlux(tree: Tree, log: DriftLog, env: EnvironmentSettings, components: Map<string, ComponentSpec>): void {
  if (!usesFlux(env) && !tree.exists(environmentKustomization(env.name))) return;
  const entries = fluxEntries(tree, env.name);
  syncEntryResources(tree, log, env.name, entries);
  const deployed = entries.filter((name) => components.has(name)).map((name) => components.get(name)!);
  syncNamespaces(tree, log, env.name, [...deployed.map(namespaceOf), ...handWrittenNamespaces(tree, env.name, entries, components)]);
  const names = new Set(deployed.map((c) => c.name));
  for (const c of deployed) {
    const deps = c.dependsOn.filter((d) => names.has(d));
    log.check(fluxEntryFile(env.name, c.name), dependsOnReason(c, deps), () => setFluxDependsOn(tree, c, env.name, deps));
    syncFluxSettings(tree, log, env, c);
  }
}

/** targetNamespace (component.yaml), prune and the suspend gate (environment.yaml), as the builder writes them. */
function syncFluxSettings(tree: Tree, log: DriftLog, env: EnvironmentSettings, c: ComponentSpec): void {
  const path = fluxEntryFile(env.name, c.name);
  const spec = fluxKustomization(c, env).spec as Record<string, unknown>;
  const fields: [string, string][] = [
    ['targetNamespace', 'component.yaml namespace'],
    ['prune', `${environmentFile(env.name)} prune`],
    ['suspend', `${environmentFile(env.name)} sync ${env.sync}`],
  ];
  for (const [field, source] of fields) {
    const value = spec[field];
    log.check(path, `${field} differs from ${source}; now ${value === undefined ? 'unset' : String(value)}`, () =>
      setYamlField(tree, path, ['spec', field], value),
    );
  }
}

function resourcesOf(tree: Tree, env: string): string[] {
  const path = environmentKustomization(env);
  const text = readText(tree, path);
  const resources = text === null ? undefined : readYaml<{ resources?: unknown }>(path, text)?.resources;
  return Array.isArray(resources) ? resources.map(String) : [];
}

function syncEntryResources(tree: Tree, log: DriftLog, env: string, entries: string[]): void {
  const before = resourcesOf(tree, env);
  log.check(
    environmentKustomization(env),
    () => {
      const after = resourcesOf(tree, env);
      const flux = relativeTo(environmentEntry(env), fluxEntryFile(env, '*'));
      return `resources differ from ${flux}${describeChanges(listDiff(before, after))}`;
    },
    () => setEnvironmentEntries(tree, env, entries),
  );
}

function namespaceOf(c: ComponentSpec): NamespaceOf {
  return { name: c.namespace, layer: c.layer.name };
}

/** A Flux Kustomization written by hand (not a component) still needs its target namespace. */
function handWrittenNamespaces(tree: Tree, env: string, entries: string[], components: Map<string, ComponentSpec>): NamespaceOf[] {
  return entries
    .filter((name) => !components.has(name))
    .map((name) => {
      const path = fluxEntryFile(env, name);
      return readYaml<{ spec?: { targetNamespace?: unknown } }>(path, readText(tree, path) ?? '')?.spec?.targetNamespace;
    })
    .filter((ns): ns is string => typeof ns === 'string')
    .map((name) => ({ name }));
}

function syncNamespaces(tree: Tree, log: DriftLog, env: string, wanted: NamespaceOf[]): void {
  let diff = { added: [] as string[], removed: [] as string[] };
  log.check(
    namespacesFile(env),
    () => `namespaces differ from the components flux/ deploys${describeChanges(diff)}`,
    () => {
      diff = setNamespaces(tree, env, wanted);
      return diff.added.length + diff.removed.length > 0;
    },
  );
}

function dependsOnReason(c: ComponentSpec, deps: string[]): string {
  const dropped = c.dependsOn.filter((d) => !deps.includes(d));
  const list = deps.length ? `[${[...deps].sort().join(', ')}]` : 'none';
  const note = dropped.length ? ` (not deployed here: ${dropped.sort().join(', ')})` : '';
  return `dependsOn differs from component.yaml; now ${list}${note}`;
}

function listDiff(before: string[], after: string[]): { added: string[]; removed: string[] } {
  return { added: after.filter((x) => !before.includes(x)), removed: before.filter((x) => !after.includes(x)) };
}

/** "; added a, b; removed c", or " (order only)". */
function describeChanges({ added, removed }: { added: string[]; removed: string[] }): string {
  const parts = [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : ''].filter(Boolean);
  return parts.length ? `; ${parts.join('; ')}` : ' (order only)';
}
