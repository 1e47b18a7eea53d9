/**
 * Closed sets and name rules, defined once. Each set feeds the TypeScript
 * type, the error message and (checked by a test) the schema.json enums.
 */
// The two functions only: semver's index loads all 47 of its modules, and this one loads with every validate run.
import validSemver from 'semver/functions/valid';
import validRange from 'semver/ranges/valid';

/** The GitOps engines an environment may list (`engines: [flux, argocd]` during a migration). */
export const ENGINES = ['flux', 'argocd'] as const;
export type Engine = (typeof ENGINES)[number];
/** The single value trees written before `engines:` used for "both engines"; read, and migrated by `nx sync`. */
export const LEGACY_BOTH = 'both';

export const SYNC_MODES = ['auto', 'manual'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export const SIZES = ['small', 'medium', 'large'] as const;
export type Size = (typeof SIZES)[number];

/** What a component is made of: a Helm chart, or plain manifests (e.g. operator CRs). */
export const COMPONENT_KINDS = ['helm', 'manifests'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/**
 * Who provides the platform's Secrets (platform.yaml `secrets.provider`, an environment may
 * override it): ExternalSecrets over a ClusterSecretStore, SealedSecrets, or SOPS (Flux only).
 */
export const SECRET_PROVIDERS = ['external-secrets', 'sealed-secrets', 'sops'] as const;
export type SecretProvider = (typeof SECRET_PROVIDERS)[number];

/** Environments a fresh tree starts with. */
/** What `import` reads: an Ansible playbook or tasks file, a helmfile.yaml, a folder of Helm values files. */
export const IMPORT_FORMATS = ['ansible', 'helmfile', 'values-dir'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const DEFAULT_ENVIRONMENTS = ['development', 'staging', 'production'] as const;

export class GitopsInputError extends Error {
  override name = 'GitopsInputError';
}

export function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new GitopsInputError(`${what} '${value}' is not allowed; must be one of: ${allowed.join(', ')}.`);
  }
  return value as T;
}

/**
 * A list of engines: `[flux]`, `[flux, argocd]`; also the single value trees wrote before lists
 * (`flux`, `argocd`, `both`), which `nx sync` rewrites as a list. Sorted in the order of ENGINES.
 */
export function parseEngines(what: string, value: unknown): Engine[] {
  const items = value === LEGACY_BOTH ? [...ENGINES] : Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new GitopsInputError(`${what} must list at least one engine: ${ENGINES.join(', ')}.`);
  const engines = items.map((e) => oneOf(what, String(e), ENGINES));
  return ENGINES.filter((e) => engines.includes(e));
}

/** Whether a settings or platform file still holds the single-value form (`engine: both`). */
export function isLegacyEngineValue(value: unknown): boolean {
  return value !== undefined && !Array.isArray(value);
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A name that becomes a folder, a Kubernetes object name and an Nx project name. */
export function assertDnsLabel(what: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new GitopsInputError(`${what} is required.`);
  }
  if (value.includes('/') || value.includes('\\') || value.includes('..')) {
    throw new GitopsInputError(`${what} '${value}' would escape the gitops tree; use a plain name such as 'redis-operator'.`);
  }
  if (value.length > 63 || !DNS_1123_LABEL.test(value)) {
    throw new GitopsInputError(
      `${what} '${value}' is not a DNS-1123 label; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit.`,
    );
  }
  return value;
}

/** An exact chart version (production pins these). */
export function isExactVersion(value: string): boolean {
  return validSemver(value) !== null;
}

/** A chart version: exact semver, or a semver range where floating is allowed. */
export function assertChartVersion(value: string): string {
  if (isExactVersion(value) || (value.trim() !== '' && validRange(value) !== null)) return value;
  throw new GitopsInputError(`Chart version '${value}' is not semver; use an exact version such as '1.2.3' or a range such as '1.2.x'.`);
}

export type RepoKind = 'helm' | 'oci';

export function repoKind(url: string): RepoKind {
  if (/^oci:\/\/[^\s/]+\/\S+$/.test(url)) return 'oci';
  if (/^https:\/\/[^\s/]+(\/\S*)?$/.test(url)) return 'helm';
  throw new GitopsInputError(
    `Repository '${url}' is neither an https:// Helm repository nor an oci:// registry; use e.g. 'https://charts.bitnami.com/bitnami' or 'oci://ghcr.io/org/charts'.`,
  );
}

/** A Git tag name a release may point at (git check-ref-format, in the subset a person types). */
const RELEASE_TAG = /^(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;

export function assertReleaseTag(value: string): string {
  if (typeof value !== 'string' || !RELEASE_TAG.test(value) || value.endsWith('.lock') || value.endsWith('/') || value.endsWith('.')) {
    throw new GitopsInputError(`Release tag '${value}' is not a Git tag name; use letters, digits, '.', '_', '-' and '/', e.g. 'v1.4.0'.`);
  }
  return value;
}
