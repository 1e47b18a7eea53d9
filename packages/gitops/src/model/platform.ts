/**
 * The platform file (`gitops/platform.yaml`): ordered layers with their
 * namespaces, the default engine and the Git repository the engines pull.
 * The layer rule lives here and nowhere else.
 */
import { Engine, ENGINES, GitopsInputError, oneOf } from './vocabulary';
import { readYaml } from './yaml-io';

export interface Layer {
  name: string;
  /** Lower runs first; equal orders may depend on each other (cycles are still refused). */
  order: number;
  namespace: string;
  description?: string;
}

export interface Platform {
  repository: { url: string; branch: string };
  defaultEngine: Engine;
  layers: Layer[];
}

export function parsePlatform(path: string, text: string): Platform {
  const raw = readYaml<Partial<Platform>>(path, text);
  if (!raw || typeof raw !== 'object') throw new Error(`${path}: expected a mapping with 'layers'`);
  const layers = Array.isArray(raw.layers) ? raw.layers : [];
  if (layers.length === 0) throw new Error(`${path}: 'layers' must list at least one layer`);
  for (const l of layers) {
    if (!l || typeof l.name !== 'string' || typeof l.order !== 'number' || typeof l.namespace !== 'string') {
      throw new Error(`${path}: every layer needs 'name', 'order' (a number) and 'namespace'; got ${JSON.stringify(l)}`);
    }
  }
  return {
    repository: {
      url: raw.repository?.url ?? 'https://github.com/example/gitops.git',
      branch: raw.repository?.branch ?? 'main',
    },
    defaultEngine: oneOf('Engine', raw.defaultEngine ?? 'flux', ENGINES),
    layers: [...layers].sort((a, b) => a.order - b.order),
  };
}

export function layerNames(platform: Platform): string[] {
  return platform.layers.map((l) => l.name);
}

export function findLayer(platform: Platform, name: string): Layer {
  const layer = platform.layers.find((l) => l.name === name);
  if (!layer) {
    throw new GitopsInputError(`Layer '${name}' does not exist; existing layers: ${layerNames(platform).join(', ')}.`);
  }
  return layer;
}

/** The layer rule: a component may depend on its own layer or a lower one. */
export function mayDependOn(from: Layer, to: Layer): boolean {
  return to.order <= from.order;
}

export function layerViolationMessage(
  from: { component: string; layer: Layer },
  to: { component: string; layer: Layer },
): string {
  return (
    `'${from.component}' (layer ${from.layer.name}, order ${from.layer.order}) must not depend on ` +
    `'${to.component}' (layer ${to.layer.name}, order ${to.layer.order}): a component may depend only on its own layer or lower ones.`
  );
}

/** Argo CD sync wave of a layer. */
export function syncWave(layer: Layer): string {
  return String(layer.order);
}
