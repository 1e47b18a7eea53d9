/**
 * Flux Helm objects of a component's base and the overlay's version patch:
 * HelmRepository (https) or OCIRepository (oci://), and a HelmRelease v2
 * reading its values from the kustomize-generated ConfigMap.
 */
import { versionPath } from '../model/component';
import { repoKind } from '../model/vocabulary';
import { ChartRef, Component, K8sObject } from './types';

/** source-controller's API: HelmRepository, OCIRepository and GitRepository. */
export const HELM_REPOSITORY_API = 'source.toolkit.fluxcd.io/v1';
export const HELM_RELEASE_API = 'helm.toolkit.fluxcd.io/v2';

/** Name of the ConfigMap the base generates from the values files. */
export function valuesConfigMapName(component: string): string {
  return `${component}-values`;
}

/** Keys of that ConfigMap: the base's values and the environment's. */
export const BASE_VALUES_KEY = 'base.yaml';
export const ENVIRONMENT_VALUES_KEY = 'environment.yaml';

export function chartSource(component: string, chart: ChartRef): K8sObject {
  if (repoKind(chart.repository) === 'oci') {
    return {
      apiVersion: HELM_REPOSITORY_API,
      kind: 'OCIRepository',
      metadata: { name: component },
      spec: {
        interval: '12h',
        url: chart.repository,
        layerSelector: {
          mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
          operation: 'copy',
        },
      },
    };
  }
  return {
    apiVersion: HELM_REPOSITORY_API,
    kind: 'HelmRepository',
    metadata: { name: component },
    spec: { interval: '12h', url: chart.repository },
  };
}

function chartReference(c: Component, chart: ChartRef): Record<string, unknown> {
  if (repoKind(chart.repository) === 'oci') {
    return { chartRef: { kind: 'OCIRepository', name: c.name } };
  }
  return {
    chart: {
      spec: {
        chart: chart.name,
        sourceRef: { kind: 'HelmRepository', name: c.name },
        interval: '12h',
      },
    },
  };
}

/**
 * The base HelmRelease. `adopt` (import) also pins the namespaces of the release a push deployment
 * made: `targetNamespace` and `storageNamespace` default to the HelmRelease's own namespace, so
 * written out they keep helm-controller upgrading that release wherever the HelmRelease object is
 * applied (with `targetNamespace` set, `releaseName` must be explicit: it would default to
 * `<targetNamespace>-<name>`).
 */
export function helmRelease(c: Component, { adopt = false }: { adopt?: boolean } = {}): K8sObject {
  if (!c.chart) throw new Error(`Component '${c.name}' has no chart`);
  const configMap = valuesConfigMapName(c.name);
  const crds = c.crds ? { install: { crds: 'Create' }, upgrade: { crds: 'CreateReplace' } } : {};
  return {
    apiVersion: HELM_RELEASE_API,
    kind: 'HelmRelease',
    metadata: { name: c.name },
    spec: {
      interval: '30m',
      releaseName: c.releaseName,
      ...(adopt ? { targetNamespace: c.namespace, storageNamespace: c.namespace } : {}),
      ...chartReference(c, c.chart),
      // helm-controller's recommended settings (docs/engines.md says why each): retry a failed install or
      // upgrade, roll back when the retries are spent, clean up what a failed upgrade created, and
      // correct changes made in the cluster by hand (an environment without selfHeal only warns: the
      // Flux Kustomization patches the mode to warn there).
      install: { ...(crds.install ?? {}), remediation: { retries: 3 } },
      upgrade: { ...(crds.upgrade ?? {}), cleanupOnFail: true, remediation: { retries: 3, remediateLastFailure: true } },
      driftDetection: { mode: 'enabled' },
      valuesFrom: [
        { kind: 'ConfigMap', name: configMap, valuesKey: BASE_VALUES_KEY },
        {
          kind: 'ConfigMap',
          name: configMap,
          valuesKey: ENVIRONMENT_VALUES_KEY,
          optional: true,
        },
      ],
    },
  };
}

/** The overlay's patch that sets this environment's chart version. */
export function versionPatch(c: Component, version: string): K8sObject {
  if (!c.chart) throw new Error(`Component '${c.name}' has no chart`);
  const oci = repoKind(c.chart.repository) === 'oci';
  const head = oci ? { apiVersion: HELM_REPOSITORY_API, kind: 'OCIRepository' } : { apiVersion: HELM_RELEASE_API, kind: 'HelmRelease' };
  const patch: K8sObject = { ...head, metadata: { name: c.name } };
  let node: Record<string, unknown> = patch;
  const path = versionPath(c.chart, version);
  path.slice(0, -1).forEach((key) => (node = (node[key] ??= {}) as Record<string, unknown>));
  node[path[path.length - 1]] = version;
  return patch;
}
