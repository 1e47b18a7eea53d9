/**
 * What the manifest builders need to know about a component and an
 * environment. Plain data; the generators fill it from the model.
 */
import type { Layer } from '../model/platform';
import type { EnvironmentSettings } from '../model/environment-settings';
import type { ComponentKind } from '../model/vocabulary';

export type { ComponentKind, EnvironmentSettings };

export interface ChartRef {
  /** `https://` Helm repository or the `oci://` path of the chart. */
  repository: string;
  name: string;
}

export interface ComponentSpec {
  name: string;
  layer: Layer;
  namespace: string;
  kind: ComponentKind;
  chart?: ChartRef;
  /** The chart ships CRDs (operators). */
  crds: boolean;
  dependsOn: string[];
}

/** The Git repository the engines pull the tree from. */
export interface GitSource {
  url: string;
  branch: string;
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

export const FLUX_NAMESPACE = 'flux-system';
export const ARGOCD_NAMESPACE = 'argocd';
/** Name of the GitRepository `flux bootstrap` creates. */
export const FLUX_GIT_SOURCE = 'flux-system';
