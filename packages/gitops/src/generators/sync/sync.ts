/**
 * `nx sync` / `nx sync:check` (a global sync generator registered in nx.json): re-derives the
 * aggregate parts of the GitOps tree from their sources of truth and edits them in place:
 *
 *   clusters/<env>/kustomization.yaml   resources   ← namespaces.yaml + every flux/*.yaml
 *   clusters/<env>/namespaces.yaml                  ← namespaces of the components flux/ deploys
 *   clusters/<env>/flux/<c>.yaml        dependsOn   ← component.yaml dependsOn (deployed here)
 *                                       targetNamespace ← component.yaml namespace
 *                                       prune, suspend  ← environment.yaml prune, sync
 *   clusters/<env>/argocd/apps/<c>.yaml targetRevision ← overlays/<env>/version.yaml
 *                                       sync wave   ← the layer's order in platform.yaml
 *                                       destination.namespace ← component.yaml namespace
 *                                       syncPolicy.automated  ← environment.yaml sync, prune, selfHeal
 *   clusters/<env>/argocd/apps/project-<layer>.yaml ← present for every layer with an Application
 *
 * Nothing changes on a tree in sync; otherwise the result names every file and what differed.
 */
import { formatFiles, Tree } from '@nx/devkit';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators';
import { EnvironmentSettings } from '../../model/environment-settings';
import { platformFile } from '../../model/layout';
import { Platform } from '../../model/platform';
import { ComponentSpec } from '../../manifests';
import { listForMessage, parseList, pickEnvironments } from '../shared/options';
import { locateComponents, readComponent, readEnvironments, readPlatform } from '../shared/workspace';
import { syncArgo } from './argocd';
import { DriftLog, outOfSync } from './drift';
import { syncFlux } from './flux';
import { SyncGeneratorSchema } from './schema';

export interface NormalizedSyncOptions {
  platform: Platform;
  environments: EnvironmentSettings[];
  /** Every component of the tree by name, as component.yaml and platform.yaml describe it. */
  components: Map<string, ComponentSpec>;
  skipFormat: boolean;
}

export async function syncGenerator(tree: Tree, schema: SyncGeneratorSchema = {}): Promise<SyncGeneratorResult> {
  const options = normalizeOptions(tree, schema);
  if (!options) return;
  const log = new DriftLog(tree);
  for (const env of options.environments) {
    syncFlux(tree, log, env, options.components);
    syncArgo(tree, log, env, options.components, options.platform.repository);
  }
  if (!options.skipFormat) await formatFiles(tree);
  const drift = log.changes();
  return drift.length ? outOfSync(drift, (files) => listForMessage(files, 5)) : undefined;
}

export default syncGenerator;

/** Undefined when there is nothing to derive: no gitops/platform.yaml or no environment yet. */
export function normalizeOptions(tree: Tree, schema: SyncGeneratorSchema): NormalizedSyncOptions | undefined {
  if (!tree.exists(platformFile())) return undefined;
  const all = readEnvironments(tree);
  if (all.length === 0) return undefined;
  const platform = readPlatform(tree);
  const components = new Map<string, ComponentSpec>();
  for (const [name, layer] of locateComponents(tree)) components.set(name, readComponent(tree, platform, layer, name).spec);
  return {
    platform,
    environments: pickEnvironments(all, parseList(schema.environments)),
    components,
    skipFormat: schema.skipFormat ?? false,
  };
}
