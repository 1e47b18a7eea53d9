/**
 * Argo CD objects (argoproj.io/v1alpha1): the root app-of-apps of an
 * environment, one AppProject per layer (least privilege), one Application
 * per component in its layer's project with the layer's sync wave.
 */
import { argoAppsDir, componentBaseFile, overlayDir, overlayFile, secretsDir, VALUES_FILE } from '../model/layout';
import { SECRETS_ENTRY } from './secrets';
import { Layer } from '../model/platform';
import { repoKind } from '../model/vocabulary';
import { ARGOCD_NAMESPACE, Component, EnvironmentSettings, GitSource, K8sObject, MANAGED_LABELS } from './types';

export const ARGOCD_API = 'argoproj.io/v1alpha1';
/** The cluster Argo CD runs in, as Application and AppProject destinations name it. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';
/** Name of the git source that carries the value files in multi-source Applications. */
const VALUES_REF = 'values';

/** Cluster-scoped kinds an operator chart installs: only layers with operators may sync them. */
export const OPERATOR_CLUSTER_RESOURCES = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  {
    group: 'admissionregistration.k8s.io',
    kind: 'MutatingWebhookConfiguration',
  },
  {
    group: 'admissionregistration.k8s.io',
    kind: 'ValidatingWebhookConfiguration',
  },
];

export function projectName(layer: Layer): string {
  return layer.name;
}

function syncPolicy(env: EnvironmentSettings): Record<string, unknown> {
  const options = {
    syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
  };
  if (env.sync !== 'auto') return options;
  return {
    automated: { prune: env.prune, selfHeal: env.selfHeal },
    ...options,
  };
}

/**
 * The chart source of a multi-source Application. An https:// Helm repository is named with its
 * chart. An oci:// chart is an OCI source (Argo CD 3.1 or later): repoURL keeps the oci:// scheme
 * and names the chart's artifact itself, path '.' is the chart at the artifact's root, and
 * targetRevision is its version. (Before 3.1 Argo CD only knew OCI Helm repositories, written
 * without the scheme plus a chart name; this plugin targets 3.1+.)
 */
function chartSource(c: Component, version: string, env: EnvironmentSettings): Record<string, unknown> {
  const chart = c.chart!;
  const valueFiles = [
    `$${VALUES_REF}/${componentBaseFile(c.layer, c.name, VALUES_FILE)}`,
    `$${VALUES_REF}/${overlayFile(c.layer, c.name, env.name, VALUES_FILE)}`,
  ];
  const helm = { releaseName: c.releaseName, valueFiles };
  if (repoKind(chart.repository) === 'oci') {
    return {
      repoURL: chart.repository,
      targetRevision: version,
      path: '.',
      helm,
    };
  }
  return {
    repoURL: chart.repository,
    chart: chart.name,
    targetRevision: version,
    helm,
  };
}

export interface ApplicationPlacement {
  /** The AppProject (the layer's). */
  project: string;
  /** Sync wave: after every component it depends on. */
  wave: number;
  /** Chart version (helm components). */
  version?: string;
}

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * The revision an Application takes this repository at: the branch, or in a manually synced
 * environment its release tag (the gate; the branch until the first release, which validate warns about).
 */
export function gitRevision(env: EnvironmentSettings, git: GitSource): string {
  return env.sync === 'manual' && env.release ? env.release : git.branch;
}

export function application(c: Component, env: EnvironmentSettings, git: GitSource, { project, wave, version }: ApplicationPlacement): K8sObject {
  const destination = { server: IN_CLUSTER, namespace: c.namespace };
  const revision = gitRevision(env, git);
  const source =
    c.kind === 'helm'
      ? {
          sources: [chartSource(c, version ?? '', env), { repoURL: git.url, targetRevision: revision, ref: VALUES_REF }],
        }
      : {
          source: {
            repoURL: git.url,
            targetRevision: revision,
            path: overlayDir(c.layer, c.name, env.name),
          },
        };
  return {
    apiVersion: ARGOCD_API,
    kind: 'Application',
    metadata: {
      name: c.name,
      namespace: ARGOCD_NAMESPACE,
      labels: MANAGED_LABELS,
      annotations: { [SYNC_WAVE_ANNOTATION]: String(wave) },
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: { project, ...source, destination, syncPolicy: syncPolicy(env) },
  };
}

/** The Application of an environment's Secret objects (clusters/<env>/secrets), in its own AppProject. */
export function secretsApplication(env: EnvironmentSettings, git: GitSource, wave: number): K8sObject {
  return {
    apiVersion: ARGOCD_API,
    kind: 'Application',
    metadata: {
      name: SECRETS_ENTRY,
      namespace: ARGOCD_NAMESPACE,
      labels: MANAGED_LABELS,
      annotations: { [SYNC_WAVE_ANNOTATION]: String(wave) },
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: SECRETS_ENTRY,
      source: { repoURL: git.url, targetRevision: gitRevision(env, git), path: secretsDir(env.name) },
      destination: { server: IN_CLUSTER },
      syncPolicy: syncPolicy(env),
    },
  };
}

/** The AppProject of the Secrets Application: this repository, the namespaces the Secrets live in, namespaced kinds only. */
export function secretsProject(git: GitSource, namespaces: string[]): K8sObject {
  return {
    apiVersion: ARGOCD_API,
    kind: 'AppProject',
    metadata: { name: SECRETS_ENTRY, namespace: ARGOCD_NAMESPACE, labels: MANAGED_LABELS },
    spec: {
      description: "The platform's Secret objects (ExternalSecret or SealedSecret), in the namespaces of the components that need them",
      sourceRepos: [git.url],
      destinations: [...new Set(namespaces)].sort().map((namespace) => ({ server: IN_CLUSTER, namespace })),
      clusterResourceWhitelist: [],
    },
  };
}

/**
 * Argo CD 1.8 and later no longer assess an Application's health, so the waves of an
 * app-of-apps would not wait for the Applications before them. This argocd-cm key restores it:
 * an Application is as healthy as its status says, Progressing until it has one.
 */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';
export const APPLICATION_HEALTH_LUA = [
  'hs = { status = "Progressing", message = "" }',
  'if obj.status ~= nil and obj.status.health ~= nil then',
  '  hs.status = obj.status.health.status',
  '  hs.message = obj.status.health.message or ""',
  'end',
  'return hs',
  '',
].join('\n');

/** The keys of argocd-cm the tree needs; applied server-side, so Argo CD's other settings stay. */
export function argocdConfig(): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'argocd-cm',
      namespace: ARGOCD_NAMESPACE,
      labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd', ...MANAGED_LABELS },
    },
    data: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA },
  };
}

/** Where an Application keeps its chart version (for in-place updates). */
export const TARGET_REVISION_PATH = ['spec', 'sources', 0, 'targetRevision'];

export function appProject(layer: Layer, sourceRepos: string[], namespaces: string[], operators: boolean): K8sObject {
  return {
    apiVersion: ARGOCD_API,
    kind: 'AppProject',
    metadata: {
      name: projectName(layer),
      namespace: ARGOCD_NAMESPACE,
      labels: MANAGED_LABELS,
    },
    spec: {
      description: `Layer ${layer.name} (order ${layer.order})${layer.description ? `: ${layer.description}` : ''}`,
      sourceRepos: [...sourceRepos].sort(),
      destinations: [...namespaces].sort().map((namespace) => ({ server: IN_CLUSTER, namespace })),
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }, ...(operators ? OPERATOR_CLUSTER_RESOURCES : [])],
    },
  };
}

/** AppProject of the root app-of-apps: it may sync nothing but Argo CD's own objects. */
export const ROOT_PROJECT = 'gitops-root';

/** Namespaced kinds the root app-of-apps syncs from argocd/apps. */
export const ROOT_PROJECT_RESOURCES = [
  { group: 'argoproj.io', kind: 'Application' },
  { group: 'argoproj.io', kind: 'AppProject' },
];

/**
 * The root's AppProject: this tree's repository only, the in-cluster argocd namespace only,
 * Applications and AppProjects only, no cluster-scoped kind (an empty whitelist allows none).
 */
export function rootProject(git: GitSource): K8sObject {
  return {
    apiVersion: ARGOCD_API,
    kind: 'AppProject',
    metadata: {
      name: ROOT_PROJECT,
      namespace: ARGOCD_NAMESPACE,
      labels: MANAGED_LABELS,
    },
    spec: {
      description: 'Root app-of-apps, syncs only the AppProjects and Applications of argocd/apps',
      sourceRepos: [git.url],
      destinations: [{ server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE }],
      namespaceResourceWhitelist: ROOT_PROJECT_RESOURCES,
      clusterResourceWhitelist: [],
    },
  };
}

/** The root app-of-apps: syncs the projects and applications of one environment, in project gitops-root. */
export function rootApplication(env: EnvironmentSettings, git: GitSource): K8sObject {
  return {
    apiVersion: ARGOCD_API,
    kind: 'Application',
    metadata: {
      name: `root-${env.name}`,
      namespace: ARGOCD_NAMESPACE,
      labels: MANAGED_LABELS,
    },
    spec: {
      project: ROOT_PROJECT,
      source: {
        repoURL: git.url,
        targetRevision: git.branch,
        path: argoAppsDir(env.name),
      },
      destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      // Automated even where the environment syncs manually, on purpose: the root only syncs
      // AppProject and Application objects from argocd/apps, never a workload. Each child
      // Application carries the environment's manual gate (no automated block), so a new or changed
      // Application appears in Argo CD and waits there for a person to sync it. Validation exempts
      // the root app from the manual-sync rule for this reason.
      syncPolicy: { automated: { prune: env.prune, selfHeal: env.selfHeal } },
    },
  };
}

/** The documents of root.yaml, the project first so that one `kubectl apply -f` creates it before the root app. */
export function rootObjects(env: EnvironmentSettings, git: GitSource): K8sObject[] {
  return [rootProject(git), rootApplication(env, git)];
}
