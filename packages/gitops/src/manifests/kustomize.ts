/**
 * kustomize `Kustomization` files: a component's base and overlays, and an
 * environment's Flux entry point. Current kustomize v5 fields only
 * (`patches:`, never `patchesStrategicMerge`).
 */
import {
  componentBase,
  HELMRELEASE_FILE,
  MANIFESTS_FILE,
  overlayDir,
  relativeTo,
  SIZE_PATCH_FILE,
  SOURCE_FILE,
  VALUES_FILE,
  VERSION_PATCH_FILE,
} from '../model/layout';
import { BASE_VALUES_KEY, ENVIRONMENT_VALUES_KEY, valuesConfigMapName } from './helm';
import { Component } from './types';

export const KUSTOMIZE_API = 'kustomize.config.k8s.io/v1beta1';

export interface KustomizationFile {
  apiVersion: string;
  kind: 'Kustomization';
  resources?: string[];
  configMapGenerator?: Record<string, unknown>[];
  generatorOptions?: Record<string, unknown>;
  patches?: Record<string, unknown>[];
  [key: string]: unknown;
}

/**
 * Kustomize must keep the ConfigMap name stable so HelmRelease `valuesFrom` finds it; the watch
 * label makes helm-controller reconcile the HelmRelease as soon as the values change, not at its
 * next interval.
 */
export const WATCH_LABEL = 'reconcile.fluxcd.io/watch';
const STABLE_NAMES = { disableNameSuffixHash: true, labels: { [WATCH_LABEL]: 'Enabled' } };

export function baseKustomization(c: Component): KustomizationFile {
  if (c.kind === 'manifests') {
    return {
      apiVersion: KUSTOMIZE_API,
      kind: 'Kustomization',
      resources: [MANIFESTS_FILE],
    };
  }
  return {
    apiVersion: KUSTOMIZE_API,
    kind: 'Kustomization',
    resources: [SOURCE_FILE, HELMRELEASE_FILE],
    configMapGenerator: [
      {
        name: valuesConfigMapName(c.name),
        files: [`${BASE_VALUES_KEY}=${VALUES_FILE}`],
      },
    ],
    generatorOptions: STABLE_NAMES,
  };
}

/** An overlay includes its base: `../../base` in the layout of model/layout.ts. */
function baseOf(c: Component, env: string): string {
  return relativeTo(overlayDir(c.layer, c.name, env), componentBase(c.layer, c.name));
}

export function overlayKustomization(c: Component, options: { env: string; hasSizePatch: boolean }): KustomizationFile {
  const base = baseOf(c, options.env);
  if (c.kind === 'manifests') {
    return {
      apiVersion: KUSTOMIZE_API,
      kind: 'Kustomization',
      resources: [base],
      ...(options.hasSizePatch ? { patches: [{ path: SIZE_PATCH_FILE }] } : {}),
    };
  }
  return {
    apiVersion: KUSTOMIZE_API,
    kind: 'Kustomization',
    resources: [base],
    configMapGenerator: [
      {
        name: valuesConfigMapName(c.name),
        behavior: 'merge',
        files: [`${ENVIRONMENT_VALUES_KEY}=${VALUES_FILE}`],
      },
    ],
    generatorOptions: STABLE_NAMES,
    patches: [{ path: VERSION_PATCH_FILE }],
  };
}

/** Flux entry point of an environment: its namespaces and one Flux Kustomization per component. */
export function environmentKustomization(resources: string[]): KustomizationFile {
  return { apiVersion: KUSTOMIZE_API, kind: 'Kustomization', resources };
}
