/** Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1) that deploys one component's overlay. */
import { overlayDir } from '../model/layout';
import { ComponentSpec, EnvironmentSettings, FLUX_GIT_SOURCE, FLUX_NAMESPACE, K8sObject } from './types';

export const FLUX_KUSTOMIZATION_API = 'kustomize.toolkit.fluxcd.io/v1';

export function fluxKustomization(c: ComponentSpec, env: EnvironmentSettings): K8sObject {
  const spec: Record<string, unknown> = {
    interval: '10m',
    retryInterval: '2m',
    timeout: '10m',
    path: `./${overlayDir(c.layer.name, c.name, env.name)}`,
    prune: env.prune,
    wait: true,
    sourceRef: { kind: 'GitRepository', name: FLUX_GIT_SOURCE },
    targetNamespace: c.namespace,
  };
  if (c.dependsOn.length > 0) spec.dependsOn = dependsOnList(c.dependsOn);
  if (env.sync === 'manual') spec.suspend = true;
  return {
    apiVersion: FLUX_KUSTOMIZATION_API,
    kind: 'Kustomization',
    metadata: { name: c.name, namespace: FLUX_NAMESPACE },
    spec,
  };
}

export function dependsOnList(names: string[]): { name: string }[] {
  return [...names].sort().map((name) => ({ name }));
}

/** Header comment of a Flux entry: says how the manual gate is opened. */
export function fluxEntryComment(c: ComponentSpec, env: EnvironmentSettings): string {
  const head = `${c.name} in ${env.name}: deploys ${overlayDir(c.layer.name, c.name, env.name)}.`;
  if (env.sync !== 'manual') return head;
  return (
    `${head}\n` +
    `sync: manual. This Kustomization is suspended, which is the release gate: after review, release with\n` +
    `  flux resume kustomization ${c.name} -n ${FLUX_NAMESPACE}\n` +
    `and suspend it again with \`flux suspend kustomization ${c.name} -n ${FLUX_NAMESPACE}\`.`
  );
}
