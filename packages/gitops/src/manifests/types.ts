/**
 * What the manifest builders need to know about a component and an
 * environment. Plain data; the generators fill it from the model.
 */
import type { ChartRef, Component } from '../model/component';
import type { EnvironmentSettings } from '../model/environment-settings';
import type { ComponentKind } from '../model/vocabulary';

export type { ChartRef, Component, ComponentKind, EnvironmentSettings };

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

/** Label on every object the tool derives (Flux Kustomizations, Argo CD Applications and AppProjects): how reconcile knows a file is its own. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'mlops-gitops';
export const MANAGED_LABELS = { [MANAGED_BY_LABEL]: MANAGED_BY };
