/** Everything the component generator refuses, checked before anything is written. */
import { dependencyNames } from '../../model/component';
import { isExactVersion, GitopsInputError } from '../../model/vocabulary';
import { findLayer, layerViolationMessage, mayDependOn } from '../../model/platform';
import { walkDependencies } from '../../model/tree-model';
import { versionForNewOverlay } from '../shared/overlay';
import { componentNames } from '../shared/workspace';
import { newOverlaySources, NormalizedComponentOptions } from './normalize';

export function refuseInvalid(o: NormalizedComponentOptions): void {
  refuseConflicts(o);
  refuseDependencies(o);
  refuseFloatingVersions(o);
  refuseMissingVersions(o);
}

function describeChart(kind: string, chart?: { name: string; repository: string }): string {
  return chart ? `chart '${chart.name}' from '${chart.repository}'` : `kind '${kind}'`;
}

function refuseConflicts({ component: spec, existing: was }: NormalizedComponentOptions): void {
  if (!was) return;
  if (was.layer !== spec.layer) {
    throw new GitopsInputError(
      `Component '${spec.name}' already exists in layer '${was.layer}'; it cannot be added to layer '${spec.layer}' as well. Use another name or omit --layer.`,
    );
  }
  const sameChart = was.kind === spec.kind && was.chart?.repository === spec.chart?.repository && was.chart?.name === spec.chart?.name;
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

function refuseDependencies(o: NormalizedComponentOptions): void {
  const { component: spec, layer, workspace } = o;
  const components = workspace.model.components;
  for (const dep of dependencyNames(spec)) {
    if (dep === spec.name) throw new GitopsInputError(`Component '${spec.name}' cannot depend on itself.`);
    const target = components.get(dep);
    if (!target) {
      throw new GitopsInputError(`--depends-on '${dep}' is not a component of the tree; existing components: ${componentNames(workspace)}.`);
    }
    const depLayer = findLayer(workspace.platform, target.layer);
    if (!mayDependOn(layer, depLayer)) {
      throw new GitopsInputError(layerViolationMessage({ component: spec.name, layer }, { component: dep, layer: depLayer }));
    }
    for (const env of o.environments) {
      if (!target.overlays.has(env.name)) {
        throw new GitopsInputError(
          `'${spec.name}' depends on '${dep}', which is not deployed in environment '${env.name}'; add it there first with 'nx g @mlops/gitops:component ${dep} --environments ${env.name}'.`,
        );
      }
    }
  }
  const cycle = findCycle(o);
  if (cycle) throw new GitopsInputError(`--depends-on would create a cycle: ${cycle.join(' -> ')}.`);
}

/** The cycle the new dependencies would close, walking the tree's dependsOn from the component itself. */
function findCycle({ component: spec, workspace }: NormalizedComponentOptions): string[] | undefined {
  const dependsOn = (name: string): string[] => {
    if (name === spec.name) return dependencyNames(spec);
    const c = workspace.model.components.get(name);
    return c ? dependencyNames(c) : [];
  };
  return walkDependencies([spec.name], dependsOn).cycles.find((c) => c.includes(spec.name));
}

function refuseFloatingVersions({ component: spec, version, versionGiven, environments }: NormalizedComponentOptions): void {
  if (spec.kind !== 'helm' || !versionGiven || version === undefined || isExactVersion(version)) return;
  const pinned = environments.filter((e) => e.pinVersions).map((e) => e.name);
  if (pinned.length > 0) {
    throw new GitopsInputError(
      `Chart version '${version}' is a range, but ${pinned.join(', ')} pin${pinned.length === 1 ? 's' : ''} exact versions; give an exact version such as '1.2.3', or leave ${pinned.join(', ')} out with --environments.`,
    );
  }
}

/** Every new overlay gets a version: refused here, before anything is written, when it would get none or a range where pinned. */
function refuseMissingVersions(o: NormalizedComponentOptions): void {
  for (const env of o.environments) {
    if (!o.component.overlays.has(env.name)) versionForNewOverlay(o.component, env, newOverlaySources(o));
  }
}
