/** Everything the component generator refuses, checked before anything is written. */
import { Tree } from '@nx/devkit';
import { isExactVersion, GitopsInputError } from '../../model/vocabulary';
import { findLayer, layerViolationMessage, mayDependOn } from '../../model/platform';
import { listForMessage } from '../shared/options';
import { overlayExists } from '../shared/overlay';
import { readComponent } from '../shared/workspace';
import { NormalizedComponentOptions } from './normalize';

export function refuseInvalid(tree: Tree, o: NormalizedComponentOptions): void {
  refuseConflicts(o);
  refuseDependencies(tree, o);
  refuseFloatingVersions(o);
}

function describeChart(kind: string, chart?: { name: string; repository: string }): string {
  return chart ? `chart '${chart.name}' from '${chart.repository}'` : `kind '${kind}'`;
}

function refuseConflicts({ spec, existing }: NormalizedComponentOptions): void {
  if (!existing) return;
  const was = existing.spec;
  if (was.layer.name !== spec.layer.name) {
    throw new GitopsInputError(
      `Component '${spec.name}' already exists in layer '${was.layer.name}'; it cannot be added to layer '${spec.layer.name}' as well. Use another name or omit --layer.`,
    );
  }
  const sameChart =
    was.kind === spec.kind && was.chart?.repository === spec.chart?.repository && was.chart?.name === spec.chart?.name;
  if (!sameChart) {
    throw new GitopsInputError(
      `Component '${spec.name}' already exists with ${describeChart(was.kind, was.chart)}; refusing ${describeChart(spec.kind, spec.chart)}. Use another name, or remove the existing component first.`,
    );
  }
}

function refuseDependencies(tree: Tree, o: NormalizedComponentOptions): void {
  const { spec, locations, platform } = o;
  for (const dep of spec.dependsOn) {
    if (dep === spec.name) throw new GitopsInputError(`Component '${spec.name}' cannot depend on itself.`);
    const depLayerName = locations.get(dep);
    if (!depLayerName) {
      throw new GitopsInputError(
        `--depends-on '${dep}' is not a component of the tree; existing components: ${listForMessage([...locations.keys()].sort())}.`,
      );
    }
    const depLayer = findLayer(platform, depLayerName);
    if (!mayDependOn(spec.layer, depLayer)) {
      throw new GitopsInputError(layerViolationMessage({ component: spec.name, layer: spec.layer }, { component: dep, layer: depLayer }));
    }
    for (const env of o.environments) {
      const depSpec = { ...spec, name: dep, layer: depLayer };
      if (!overlayExists(tree, depSpec, env.name)) {
        throw new GitopsInputError(
          `'${spec.name}' depends on '${dep}', which is not deployed in environment '${env.name}'; add it there first with 'nx g @mlops/gitops:component ${dep} --environments ${env.name}'.`,
        );
      }
    }
  }
  const cycle = findCycle(tree, o);
  if (cycle) throw new GitopsInputError(`--depends-on would create a cycle: ${cycle.join(' -> ')}.`);
}

/** Follows dependsOn from the new dependencies; reaching the component itself is a cycle. */
function findCycle(tree: Tree, { spec, locations, platform }: NormalizedComponentOptions): string[] | undefined {
  const seen = new Set<string>();
  const walk = (name: string, path: string[]): string[] | undefined => {
    if (name === spec.name) return [...path, name];
    if (seen.has(name)) return undefined;
    seen.add(name);
    const layer = locations.get(name);
    if (!layer) return undefined;
    for (const next of readComponent(tree, platform, layer, name).spec.dependsOn) {
      const found = walk(next, [...path, name]);
      if (found) return found;
    }
    return undefined;
  };
  for (const dep of spec.dependsOn) {
    const found = walk(dep, [spec.name]);
    if (found) return found;
  }
  return undefined;
}

function refuseFloatingVersions({ spec, version, versionGiven, environments }: NormalizedComponentOptions): void {
  if (spec.kind !== 'helm' || !versionGiven || version === undefined || isExactVersion(version)) return;
  const pinned = environments.filter((e) => e.pinVersions).map((e) => e.name);
  if (pinned.length > 0) {
    throw new GitopsInputError(
      `Chart version '${version}' is a range, but ${pinned.join(', ')} pin${pinned.length === 1 ? 's' : ''} exact versions; give an exact version such as '1.2.3', or leave ${pinned.join(', ')} out with --environments.`,
    );
  }
}
