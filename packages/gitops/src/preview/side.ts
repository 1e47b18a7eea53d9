/**
 * One component in one environment at one commit: the objects its engines apply (its overlay
 * rendered by kustomize, plus its Flux Kustomization / Argo CD Application) and its effective values
 * as each engine of the environment merges them.
 */
import { ENGINE_MODULES } from '../derive/engines';
import type { Component } from '../model/component';
import type { EnvironmentSettings } from '../model/environment-settings';
import { overlayDir } from '../model/layout';
import type { TreeModel } from '../model/tree-model';
import type { Engine } from '../model/vocabulary';
import type { K8sObject } from './diff';
import type { GitSnapshot } from './git-snapshot';
import { parseObjects, RenderResult } from './render';
import { argoValues, EffectiveValues, fluxValues } from './values';

export interface Side {
  snapshot: GitSnapshot;
  model: TreeModel;
  env: EnvironmentSettings;
  component: Component;
}

export interface SideState {
  objects: K8sObject[];
  values: Map<Engine, EffectiveValues>;
  error?: string;
}

export function overlayOf(side: Side): string {
  return overlayDir(side.component.layer, side.component.name, side.env.name, side.model.root);
}

/** The side's state, given the render of its overlay. */
export function sideState(side: Side, render: RenderResult | undefined): SideState {
  const rendered = render?.objects ?? [];
  const release = rendered.find((o) => o.kind === 'HelmRelease');
  const entries = side.env.engines.flatMap((e) => entryObjects(side, e));
  const values = new Map<Engine, EffectiveValues>();
  if (side.component.kind === 'helm') {
    for (const engine of side.env.engines) {
      if (engine === 'flux' && release) values.set(engine, fluxValues(release, rendered));
      const app = entries.find((o) => o.kind === 'Application');
      if (engine === 'argocd' && app && side.model.platform) {
        values.set(
          engine,
          argoValues(app, side.model.platform.repository.url, (p) => side.snapshot.read(p)),
        );
      }
    }
  }
  // The values ConfigMaps are shown as effective values, not as strings of YAML inside an object.
  const valuesMaps = new Set(
    ((release?.spec as { valuesFrom?: { kind?: string; name?: string }[] })?.valuesFrom ?? [])
      .filter((r) => r.kind === 'ConfigMap')
      .map((r) => r.name),
  );
  const objects = [...rendered.filter((o) => !(o.kind === 'ConfigMap' && valuesMaps.has(o.metadata?.name))), ...entries];
  return { objects, values, error: render?.error };
}

/** The engine's entry for the component (Flux Kustomization, Argo CD Application), as committed. */
function entryObjects(side: Side, engine: Engine): K8sObject[] {
  const text = side.snapshot.read(ENGINE_MODULES[engine].entryFile(side.env.name, side.component.name));
  if (text === null) return [];
  try {
    return parseObjects(text);
  } catch {
    return [];
  }
}
