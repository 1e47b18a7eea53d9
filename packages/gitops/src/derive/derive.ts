/**
 * derive: the derived files of the tree as a function of its sources of truth (platform.yaml,
 * component.yaml, environment.yaml, each base's chart source, each overlay's version), read
 * through the tree model. The result is everything reconcile needs: the desired files, and the
 * files the tool owns that nothing wants any more.
 */
import { Component, dependencyNames, providedSecrets } from '../model/component';
import { PROVIDER_COMPONENT } from '../manifests/index';
import { deriveSecretFiles, ownedSecretFiles, secretsNeeded } from './secrets';
import { deriveSopsConfig } from './sops';
import { EnvironmentSettings } from '../model/environment-settings';
import { environmentFile } from '../model/layout';
import { Layer, Platform } from '../model/platform';
import { layerOf, TreeModel } from '../model/tree-model';
import { ENGINES } from '../model/vocabulary';
import { DesiredFile } from './desired';
import { ENGINE_MODULES, engineModules, EnvironmentContext } from './engines/index';
import { Obsolete } from './reconcile';
import { TreeView } from './tree-view';

export interface DesiredTree {
  files: DesiredFile[];
  obsolete: Obsolete[];
}

export function deriveTree(view: TreeView, model: TreeModel): DesiredTree {
  const tree: DesiredTree = { files: [], obsolete: [] };
  const platform = model.platform;
  if (!platform) return tree;
  const resolved: EnvironmentSettings[] = [];
  for (const { resolved: env } of model.environments.values()) {
    // An environment.yaml with a value of the wrong kind: validation reports it; its files stay as they are.
    if (!env) continue;
    resolved.push(env);
    const ctx = environmentContext(view, model, platform, env);
    const files = [...engineModules(env.engines).flatMap((engine) => engine.derive(ctx)), ...deriveSecretFiles(ctx)];
    const wanted = new Set(files.map((f) => f.path));
    for (const engine of ENGINES.map((e) => ENGINE_MODULES[e])) {
      for (const path of engine.ownedFiles(view, env.name)) {
        if (!wanted.has(path))
          tree.obsolete.push({
            path,
            reason: obsoleteReason(env, engine.name),
          });
      }
    }
    for (const path of ownedSecretFiles(view, env.name)) {
      if (!wanted.has(path)) tree.obsolete.push({ path, reason: `no component deployed in ${env.name} needs it from ${env.secrets}` });
    }
    tree.files.push(...files);
  }
  // The workspace's .sops.yaml serves every environment: while one of them cannot be read, it stays as it is.
  if (resolved.length === model.environments.size) {
    const sops = deriveSopsConfig(view, resolved);
    tree.files.push(...sops.files);
    tree.obsolete.push(...sops.obsolete);
  }
  return tree;
}

function obsoleteReason(env: EnvironmentSettings, engine: string): string {
  return env.engines.includes(engine as never)
    ? `no component deployed in ${env.name} needs it (components are deployed where they have an overlay)`
    : `${environmentFile(env.name)} engines does not list ${engine}`;
}

/** The components deployed in an environment: an overlay for it and a layer platform.yaml knows. */
export function deployedIn(model: TreeModel, env: string): Component[] {
  return [...model.components.values()].filter((c) => c.overlays.has(env) && layerOf(model, c)).sort((a, b) => a.name.localeCompare(b.name));
}

function environmentContext(view: TreeView, model: TreeModel, platform: Platform, env: EnvironmentSettings): EnvironmentContext {
  const deployed = deployedIn(model, env.name);
  const byName = new Map(deployed.map((c) => [c.name, c]));
  const deps = (c: Component) => [...new Set(dependencyNames(c).filter((d) => byName.has(d)))].sort();
  const layer = (c: Component): Layer => layerOf(model, c)!;
  const waves = new Map<string, number>();
  const needs = secretsNeeded({ deployed });
  const provider = PROVIDER_COMPONENT[env.secrets];
  const providerDeployed = provider !== undefined && byName.has(provider) ? byName.get(provider) : undefined;
  const usesSecrets = (c: Component) => needs.length > 0 && providedSecrets(c).length > 0 && c.name !== provider;
  let secretsWave: number | undefined;
  const wave = (c: Component, seen: Set<string> = new Set()): number => {
    const known = waves.get(c.name);
    if (known !== undefined) return known;
    seen.add(c.name);
    // A cycle (validation reports it) does not recurse forever: a member already on the path counts as its layer's order.
    const after = deps(c).map((d) => (seen.has(d) ? layer(byName.get(d)!).order : wave(byName.get(d)!, seen)) + 1);
    const w = Math.max(layer(c).order, ...after, ...(usesSecrets(c) ? [secrets() + 1] : []));
    waves.set(c.name, w);
    return w;
  };
  // The Secrets apply after their provider's operator, the components needing them after the Secrets.
  const secrets = () => (secretsWave ??= providerDeployed ? wave(providerDeployed) + 1 : 0);
  return {
    view,
    platform,
    env,
    deployed,
    layerOf: layer,
    deployedDependencies: deps,
    wave: (c) => wave(c),
    usesSecrets,
    ...(needs.length
      ? {
          secrets: {
            provider: env.secrets,
            dependsOn: providerDeployed ? [providerDeployed.name] : [],
            wave: secrets(),
            namespaces: [...new Set(needs.map((n) => n.secret.namespace))].sort(),
          },
        }
      : {}),
  };
}
