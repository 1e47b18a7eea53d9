/** Everything the component generator refuses, checked before anything is written. */
import { Tree } from '@nx/devkit';
import { isExactVersion, GitopsInputError } from '../../model/vocabulary';
import { findLayer, layerViolationMessage, mayDependOn } from '../../model/platform';
import { walkDependencies } from '../../model/tree-model';
import { listForMessage } from '../shared/options';
import { overlayExists, versionForNewOverlay } from '../shared/overlay';
import { readComponentConfig } from '../shared/workspace';
import { newOverlaySources, NormalizedComponentOptions } from './normalize';

export function refuseInvalid(tree: Tree, o: NormalizedComponentOptions): void {
  refuseConflicts(o);
  refuseDependencies(tree, o);
  refuseFloatingVersions(o);
  refuseMissingVersions(tree, o);
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
  if (was.namespace !== spec.namespace) {
    throw new GitopsInputError(
      `Component '${spec.name}' already exists with namespace '${was.namespace}'; refusing --namespace '${spec.namespace}'. Omit --namespace, or change namespace in its component.yaml and run 'nx sync' to move every environment.`,
    );
  }
  if (was.crds !== spec.crds) {
    throw new GitopsInputError(
      `Component '${spec.name}' already exists with crds ${was.crds} (its HelmRelease ${was.crds ? 'installs' : 'does not install'} CRDs); refusing --crds ${spec.crds}. Omit --crds, or change install.crds in its base helmrelease.yaml by hand.`,
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

/** The cycle the new dependencies would close, walking the tree's dependsOn from the component itself. */
function findCycle(tree: Tree, { spec, locations }: NormalizedComponentOptions): string[] | undefined {
  const dependsOn = (name: string): string[] => {
    if (name === spec.name) return spec.dependsOn;
    const layer = locations.get(name);
    return layer ? readComponentConfig(tree, layer, name).dependsOn.map((d) => d.name) : [];
  };
  return walkDependencies([spec.name], dependsOn).cycles.find((c) => c.includes(spec.name));
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

/** Every new overlay gets a version: refused here, before anything is written, when it would get none or a range where pinned. */
function refuseMissingVersions(tree: Tree, o: NormalizedComponentOptions): void {
  for (const env of o.environments) {
    if (!overlayExists(tree, o.spec, env.name)) versionForNewOverlay(tree, o.spec, env, newOverlaySources(o));
  }
}

