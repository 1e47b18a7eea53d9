/** Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1) that deploys one component's overlay, and the release source of a gated environment. */
import { overlayDir, secretsDir } from '../model/layout';
import { SecretProvider } from '../model/vocabulary';
import { toYaml } from '../model/yaml-io';
import { HELM_RELEASE_API, HELM_REPOSITORY_API } from './helm';
import { SECRETS_ENTRY } from './secrets';
import { Component, EnvironmentSettings, FLUX_GIT_SOURCE, FLUX_NAMESPACE, GitSource, K8sObject, MANAGED_LABELS } from './types';

export const FLUX_KUSTOMIZATION_API = 'kustomize.toolkit.fluxcd.io/v1';

/** The GitRepository a manually synced environment reconciles from: this repository at its release tag. */
export const RELEASE_SOURCE = 'gitops-release';

/** The Secret holding the age key kustomize-controller decrypts SOPS files with (created once per cluster). */
export const SOPS_KEY_SECRET = 'sops-age';

/** sync: manual is the release gate: everything comes from the release tag's GitRepository, never from the branch. */
export function isGated(env: Pick<EnvironmentSettings, 'sync'>): boolean {
  return env.sync === 'manual';
}

function sourceRef(env: EnvironmentSettings): { kind: string; name: string } {
  return { kind: 'GitRepository', name: isGated(env) ? RELEASE_SOURCE : FLUX_GIT_SOURCE };
}

/** The Flux Kustomization of a component in an environment; `dependsOn` are the dependencies deployed there. */
export function fluxKustomization(c: Component, env: EnvironmentSettings, dependsOn: string[]): K8sObject {
  const spec: Record<string, unknown> = {
    interval: '10m',
    retryInterval: '2m',
    timeout: '10m',
    path: `./${overlayDir(c.layer, c.name, env.name)}`,
    prune: env.prune,
    wait: true,
    sourceRef: sourceRef(env),
    targetNamespace: c.namespace,
  };
  if (dependsOn.length > 0) spec.dependsOn = dependsOnList(dependsOn);
  const patches = driftPatches(c, env);
  if (patches) spec.patches = patches;
  return {
    apiVersion: FLUX_KUSTOMIZATION_API,
    kind: 'Kustomization',
    metadata: { name: c.name, namespace: FLUX_NAMESPACE, labels: MANAGED_LABELS },
    spec,
  };
}

/** Where an environment does not self-heal, helm-controller reports drift instead of correcting it. */
export function driftPatches(c: Component, env: EnvironmentSettings): Record<string, unknown>[] | undefined {
  if (c.kind !== 'helm' || env.selfHeal) return undefined;
  return [{ target: { kind: 'HelmRelease', name: c.name }, patch: driftPatchText(c.name) }];
}

/**
 * The patch text of a HelmRelease: written by the YAML writer once, then only the name differs (a
 * DNS-1123 label, which YAML never quotes). Derive asks for it per component and environment.
 */
const NAME_SLOT = 'component-name';
let driftPatchTemplate: string | undefined;
function driftPatchText(name: string): string {
  driftPatchTemplate ??= toYaml({
    apiVersion: HELM_RELEASE_API,
    kind: 'HelmRelease',
    metadata: { name: NAME_SLOT },
    spec: { driftDetection: { mode: 'warn' } },
  });
  return driftPatchTemplate.replace(`name: ${NAME_SLOT}\n`, `name: ${name}\n`);
}

/** The Flux Kustomization of an environment's Secret objects (each names its own namespace); SOPS files are decrypted by kustomize-controller. */
export function secretsKustomization(env: EnvironmentSettings, provider: SecretProvider, dependsOn: string[]): K8sObject {
  const spec: Record<string, unknown> = {
    interval: '10m',
    retryInterval: '2m',
    timeout: '5m',
    path: `./${secretsDir(env.name)}`,
    prune: env.prune,
    wait: true,
    sourceRef: sourceRef(env),
  };
  if (provider === 'sops') spec.decryption = { provider: 'sops', secretRef: { name: SOPS_KEY_SECRET } };
  if (dependsOn.length > 0) spec.dependsOn = dependsOnList(dependsOn);
  return {
    apiVersion: FLUX_KUSTOMIZATION_API,
    kind: 'Kustomization',
    metadata: { name: SECRETS_ENTRY, namespace: FLUX_NAMESPACE, labels: MANAGED_LABELS },
    spec,
  };
}

/** The release source of a gated environment: this repository at exactly the released tag. */
export function releaseGitRepository(git: GitSource, tag: string): K8sObject {
  return {
    apiVersion: HELM_REPOSITORY_API,
    kind: 'GitRepository',
    metadata: { name: RELEASE_SOURCE, namespace: FLUX_NAMESPACE, labels: MANAGED_LABELS },
    spec: { interval: '1m', url: git.url, ref: { tag } },
  };
}

export function dependsOnList(names: string[]): { name: string }[] {
  return [...names].sort().map((name) => ({ name }));
}

/** Header comment of a Flux entry: says what a gated environment applies and how it is released. */
export function fluxEntryComment(c: Component, env: EnvironmentSettings): string {
  const head = `${c.name} in ${env.name}: deploys ${overlayDir(c.layer, c.name, env.name)} (derived by @mlops/gitops: edit the sources, then nx sync).`;
  if (!isGated(env)) return head;
  return (
    `${head}\n` +
    `sync: manual. It reconciles from the GitRepository ${RELEASE_SOURCE} (release.yaml), which follows the release tag\n` +
    `in environment.yaml; release or roll back with: nx g @mlops/gitops:release --environment=${env.name} --tag=<tag>`
  );
}
