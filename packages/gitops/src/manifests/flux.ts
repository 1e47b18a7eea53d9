/** Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1) that deploys one component's overlay. */
import { overlayDir } from '../model/layout';
import { Component, EnvironmentSettings, FLUX_GIT_SOURCE, FLUX_NAMESPACE, K8sObject, MANAGED_LABELS } from './types';

export const FLUX_KUSTOMIZATION_API = 'kustomize.toolkit.fluxcd.io/v1';

/** The Flux Kustomization of a component in an environment; `dependsOn` are the dependencies deployed there. */
export function fluxKustomization(c: Component, env: EnvironmentSettings, dependsOn: string[]): K8sObject {
  const spec: Record<string, unknown> = {
    interval: '10m',
    retryInterval: '2m',
    timeout: '10m',
    path: `./${overlayDir(c.layer, c.name, env.name)}`,
    prune: env.prune,
    wait: true,
    sourceRef: { kind: 'GitRepository', name: FLUX_GIT_SOURCE },
    targetNamespace: c.namespace,
  };
  if (dependsOn.length > 0) spec.dependsOn = dependsOnList(dependsOn);
  if (env.sync === 'manual') spec.suspend = true;
  return {
    apiVersion: FLUX_KUSTOMIZATION_API,
    kind: 'Kustomization',
    metadata: {
      name: c.name,
      namespace: FLUX_NAMESPACE,
      labels: MANAGED_LABELS,
    },
    spec,
  };
}

export function dependsOnList(names: string[]): { name: string }[] {
  return [...names].sort().map((name) => ({ name }));
}

/** Header comment of a Flux entry: says how the manual gate is opened. */
export function fluxEntryComment(c: Component, env: EnvironmentSettings): string {
  const head = `${c.name} in ${env.name}: deploys ${overlayDir(c.layer, c.name, env.name)} (derived by @mlops/gitops: edit the sources, then nx sync).`;
  if (env.sync !== 'manual') return head;
  return (
    `${head}\n` +
    `sync: manual. This Kustomization is suspended, which is the release gate: after review, release with\n` +
    `  flux resume kustomization ${c.name} -n ${FLUX_NAMESPACE}\n` +
    `and suspend it again with \`flux suspend kustomization ${c.name} -n ${FLUX_NAMESPACE}\`.`
  );
}
