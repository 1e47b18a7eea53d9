/**
 * Stage 6, policy: no plaintext Secret; pinned environments use exact chart
 * versions; manually synced environments do not sync automatically; no
 * `latest` images; no deprecated apiVersions (the replacement is named);
 * no unset `${VAR}` where Flux substitutes variables.
 */
import { posix } from 'node:path';
import { isExactVersion } from '../../model/vocabulary';
import { Finding, RuleId, Severity } from '../types';
import { LoadedTree, objectsOf } from './1-load';
import { dotted, groupOf, lineIn, metadataOf, resourceName, shortName, Subject } from './subject';

/** How an environment must behave; scopes without an entry have no environment policy. */
export interface ScopePolicy {
  pinned: boolean;
  manual: boolean;
  /** error when the tree declared it (environment.yaml), warning when inferred from a folder name. */
  severity: Severity;
}

/** apiVersion (optionally per kind) → the version to use, or why it is gone. */
const DEPRECATED_APIS: { apiVersion: string; kinds?: string[]; use: string }[] = [
  { apiVersion: 'helm.toolkit.fluxcd.io/v2beta1', use: 'helm.toolkit.fluxcd.io/v2' },
  { apiVersion: 'helm.toolkit.fluxcd.io/v2beta2', use: 'helm.toolkit.fluxcd.io/v2' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1beta1', use: 'source.toolkit.fluxcd.io/v1' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1beta2', kinds: ['GitRepository', 'HelmRepository', 'HelmChart', 'Bucket', 'OCIRepository'], use: 'source.toolkit.fluxcd.io/v1' },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta1', use: 'kustomize.toolkit.fluxcd.io/v1' },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2', use: 'kustomize.toolkit.fluxcd.io/v1' },
  { apiVersion: 'notification.toolkit.fluxcd.io/v1beta1', use: 'notification.toolkit.fluxcd.io/v1beta3 (Alert, Provider) or v1 (Receiver)' },
  { apiVersion: 'notification.toolkit.fluxcd.io/v1beta2', use: 'notification.toolkit.fluxcd.io/v1beta3 (Alert, Provider) or v1 (Receiver)' },
  { apiVersion: 'image.toolkit.fluxcd.io/v1beta1', use: 'image.toolkit.fluxcd.io/v1beta2' },
  { apiVersion: 'extensions/v1beta1', kinds: ['Ingress'], use: 'networking.k8s.io/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['Deployment', 'DaemonSet', 'ReplicaSet'], use: 'apps/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['NetworkPolicy'], use: 'networking.k8s.io/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['PodSecurityPolicy'], use: 'nothing: PodSecurityPolicy was removed in Kubernetes 1.25; use Pod Security Admission' },
  { apiVersion: 'apps/v1beta1', use: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', use: 'apps/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', use: 'networking.k8s.io/v1' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodSecurityPolicy'], use: 'nothing: PodSecurityPolicy was removed in Kubernetes 1.25; use Pod Security Admission' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], use: 'policy/v1' },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], use: 'batch/v1' },
  { apiVersion: 'autoscaling/v2beta1', use: 'autoscaling/v2' },
  { apiVersion: 'autoscaling/v2beta2', use: 'autoscaling/v2' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', use: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', use: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'admissionregistration.k8s.io/v1beta1', use: 'admissionregistration.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment'], use: 'storage.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', use: 'scheduling.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', use: 'coordination.k8s.io/v1' },
  { apiVersion: 'bitnami.com/v1alpha0', use: 'bitnami.com/v1alpha1' },
  { apiVersion: 'external-secrets.io/v1alpha1', use: 'external-secrets.io/v1' },
  { apiVersion: 'external-secrets.io/v1beta1', use: 'external-secrets.io/v1' },
];

export function deprecationOf(apiVersion: string, kind: string): string | undefined {
  return DEPRECATED_APIS.find((d) => d.apiVersion === apiVersion && (!d.kinds || d.kinds.includes(kind)))?.use;
}

export interface PolicyOptions {
  policyOf: (env: string) => ScopePolicy | undefined;
  /** Objects rendered per directory (for `${VAR}` checks of Flux Kustomizations). */
  renderedByDir: Map<string, Subject[]>;
}

export function checkPolicy(subjects: Subject[], tree: LoadedTree, options: PolicyOptions): Finding[] {
  const out: Finding[] = [];
  let rendered: Subject[] | undefined;
  const configMaps = () => (rendered ??= [...options.renderedByDir.values()].flat().filter((x) => x.object.kind === 'ConfigMap'));
  for (const s of subjects) {
    out.push(...plaintextSecret(tree, s), ...deprecatedApi(tree, s), ...latestImages(tree, s));
    const policy = s.env === undefined ? undefined : options.policyOf(s.env);
    if (policy?.pinned) out.push(...unpinned(tree, s, policy.severity));
    if (policy?.manual) out.push(...autoSync(tree, s, policy.severity));
    out.push(...unsetVariables(tree, s, options.renderedByDir, configMaps));
  }
  return out;
}

/** What a policy finding says about one subject; `at` is the field it points to. */
interface Violation {
  at: (string | number)[];
  rule: RuleId;
  severity: Severity;
  message: string;
  hint: string;
}

function make(tree: LoadedTree, s: Subject, v: Violation): Finding {
  return { target: s.target ?? '', file: s.file, line: lineIn(tree, s, v.at), rule: v.rule, severity: v.severity, message: v.message, hint: v.hint, resource: resourceName(s.object) };
}

function spec(o: Record<string, unknown>): Record<string, unknown> {
  return o.spec && typeof o.spec === 'object' ? (o.spec as Record<string, unknown>) : {};
}

function plaintextSecret(tree: LoadedTree, s: Subject): Finding[] {
  if (s.object.kind !== 'Secret' || s.object.apiVersion !== 'v1' || s.object.sops !== undefined) return [];
  return [make(tree, s, {
    at: [], rule: 'plaintext-secret', severity: 'error',
    message: `Secret '${shortName(s.object)}' is committed in plain text.`,
    hint: 'Commit a SealedSecret (kubeseal), an ExternalSecret, or a SOPS-encrypted Secret instead.',
  })];
}

function deprecatedApi(tree: LoadedTree, s: Subject): Finding[] {
  const use = deprecationOf(String(s.object.apiVersion), String(s.object.kind));
  if (!use) return [];
  return [make(tree, s, {
    at: ['apiVersion'], rule: 'deprecated-api', severity: 'error',
    message: `${s.object.kind} '${shortName(s.object)}' uses deprecated apiVersion '${s.object.apiVersion}'.`,
    hint: `Use ${use}.`,
  })];
}

/** `nginx:latest` or `nginx` (implicitly latest); digests are pinned. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return image.slice(image.indexOf('@') + 1);
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.includes(':') ? last.slice(last.indexOf(':') + 1) : undefined;
}

function latestImages(tree: LoadedTree, s: Subject): Finding[] {
  const out: Finding[] = [];
  const hint = 'Pin an exact version tag or a digest (image@sha256:…).';
  const walk = (v: unknown, path: (string | number)[]) => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, [...path, i]));
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'image' && typeof x === 'string' && x.trim() !== '' && !x.includes('{{')) {
        const tag = imageTag(x);
        if (tag !== 'latest' && tag !== undefined) continue;
        out.push(make(tree, s, {
          at: [...path, k], rule: 'image-latest', severity: tag === 'latest' ? 'error' : 'warning', hint,
          message: `${dotted([...path, k])} of ${resourceName(s.object)} is '${x}', which ${tag === 'latest' ? 'uses the latest tag' : 'has no tag and means latest'}.`,
        }));
      } else if (k === 'image' && x && typeof x === 'object' && (x as Record<string, unknown>).tag === 'latest') {
        out.push(make(tree, s, {
          at: [...path, k, 'tag'], rule: 'image-latest', severity: 'error', hint,
          message: `${dotted([...path, k, 'tag'])} of ${resourceName(s.object)} is 'latest'.`,
        }));
      } else walk(x, [...path, k]);
    }
  };
  walk(s.object, []);
  return out;
}

function unpinned(tree: LoadedTree, s: Subject, severity: Severity): Finding[] {
  const group = groupOf(String(s.object.apiVersion));
  const sp = spec(s.object);
  const env = s.env;
  const hint = `Environment '${env}' pins versions: use an exact version such as '1.2.3'.`;
  const violation = (at: (string | number)[], message: string): Finding => make(tree, s, { at, rule: 'production-unpinned', severity, message, hint });
  if (group === 'helm.toolkit.fluxcd.io' && s.object.kind === 'HelmRelease' && sp.chart) {
    const version = ((sp.chart as Record<string, unknown>).spec as Record<string, unknown> | undefined)?.version;
    if (typeof version === 'string' && isExactVersion(version)) return [];
    return [violation(['spec', 'chart', 'spec', 'version'],
      `HelmRelease '${shortName(s.object)}' in environment '${env}' uses chart version '${version ?? '(none: latest)'}', which is not exact.`)];
  }
  if (group === 'source.toolkit.fluxcd.io' && s.object.kind === 'OCIRepository') {
    const r = (sp.ref ?? {}) as Record<string, unknown>;
    if (typeof r.digest === 'string' || (typeof r.tag === 'string' && isExactVersion(r.tag.replace(/^v/, '')))) return [];
    const current = r.semver ?? r.tag ?? '(none: latest)';
    return [violation(['spec', 'ref'],
      `OCIRepository '${shortName(s.object)}' in environment '${env}' uses ref '${String(current)}', which is not an exact tag or digest.`)];
  }
  if (group === 'argoproj.io' && s.object.kind === 'Application') {
    return argoSources(sp).flatMap(({ source, at }) => {
      const chart = chartOf(source);
      if (chart === undefined) return [];
      const rev = source.targetRevision;
      if (typeof rev === 'string' && isExactVersion(rev)) return [];
      return [violation([...at, 'targetRevision'],
        `Application '${shortName(s.object)}' in environment '${env}' uses chart ${chart} at '${String(rev ?? '(none: latest)')}', which is not exact.`)];
    });
  }
  return [];
}

/** The sources of an Argo CD Application spec with their paths (`spec.source`, `spec.sources[i]`). */
function argoSources(sp: Record<string, unknown>): { source: Record<string, unknown>; at: (string | number)[] }[] {
  const out: { source: Record<string, unknown>; at: (string | number)[] }[] = [];
  if (sp.source && typeof sp.source === 'object') out.push({ source: sp.source as Record<string, unknown>, at: ['spec', 'source'] });
  (Array.isArray(sp.sources) ? sp.sources : []).forEach((x, i) => {
    if (x && typeof x === 'object') out.push({ source: x as Record<string, unknown>, at: ['spec', 'sources', i] });
  });
  return out;
}

/**
 * The chart an Argo CD source deploys, if it is a chart source: `chart:` of a
 * Helm repository, or an `oci://` repository (Argo CD reads a Helm chart from
 * an OCI artifact through `path`, as the generators write it). Git sources of
 * this or another repository are not charts: their `targetRevision` is a branch.
 */
function chartOf(source: Record<string, unknown>): string | undefined {
  if (typeof source.chart === 'string') return source.chart;
  if (typeof source.repoURL === 'string' && source.repoURL.startsWith('oci://')) return source.repoURL;
  return undefined;
}

function autoSync(tree: LoadedTree, s: Subject, severity: Severity): Finding[] {
  const group = groupOf(String(s.object.apiVersion));
  const sp = spec(s.object);
  const env = s.env;
  if (group === 'argoproj.io' && s.object.kind === 'Application') {
    const automated = (sp.syncPolicy as Record<string, unknown> | undefined)?.automated;
    if (!automated || (automated as Record<string, unknown>).enabled === false || isAppOfApps(tree, sp)) return [];
    return [make(tree, s, {
      at: ['spec', 'syncPolicy', 'automated'], rule: 'production-auto-sync', severity,
      message: `Application '${shortName(s.object)}' syncs automatically, but environment '${env}' is synced manually.`,
      hint: 'Remove spec.syncPolicy.automated; a person syncs this environment.',
    })];
  }
  if (group === 'kustomize.toolkit.fluxcd.io' && s.object.kind === 'Kustomization' && metadataOf(s.object).name !== 'flux-system') {
    // Gated: it reconciles from a source other than the branch that flux bootstrap follows (stages/gate.ts checks the release tag in layout mode).
    const source = (sp.sourceRef as Record<string, unknown> | undefined)?.name;
    if (sp.suspend === true || (typeof source === 'string' && source !== 'flux-system')) return [];
    return [make(tree, s, {
      at: sp.sourceRef === undefined ? ['spec'] : ['spec', 'sourceRef'], rule: 'production-auto-sync', severity,
      message: `Flux Kustomization '${shortName(s.object)}' reconciles from the branch (GitRepository flux-system), but environment '${env}' is synced manually.`,
      hint: 'Point spec.sourceRef at a GitRepository on a release tag (nx sync writes gitops-release from environment.yaml release).',
    })];
  }
  return [];
}

const APP_OF_APPS_KINDS = new Set(['Application', 'AppProject']);

/**
 * An app-of-apps (the generators' root Application, whose path is
 * `clusters/<env>/argocd/apps`, see model/layout.ts argoAppsDir): its only
 * source is a folder of this tree holding nothing but Argo CD Applications
 * and AppProjects. Syncing it automatically creates and updates those
 * objects; whether the workloads sync on their own is each Application's
 * syncPolicy, which is checked. The exemption follows what the folder holds,
 * not its name, so a Deployment dropped into it loses the exemption.
 */
function isAppOfApps(tree: LoadedTree, sp: Record<string, unknown>): boolean {
  const sources = argoSources(sp);
  if (sources.length !== 1) return false;
  const { source } = sources[0];
  if (chartOf(source) !== undefined || typeof source.path !== 'string') return false;
  const dir = posix.normalize(source.path.replace(/^\.\//, '')).replace(/\/$/, '');
  if (dir === '.' || dir.startsWith('..') || !tree.reader.isDirectory(dir)) return false;
  const objects = tree.yamlFilesUnder(dir).flatMap((f) => {
    const parsed = tree.file(f);
    return parsed ? objectsOf(parsed).map((o) => o.object) : [];
  });
  const isKustomizeConfig = (o: Record<string, unknown>) => String(o.apiVersion).startsWith('kustomize.config.k8s.io/');
  const deployed = objects.filter((o) => !isKustomizeConfig(o));
  return deployed.length > 0 && deployed.length === objects.length && deployed.every((o) => groupOf(String(o.apiVersion)) === 'argoproj.io' && APP_OF_APPS_KINDS.has(String(o.kind)));
}

/** `${VAR}` without a default (`${VAR:=x}`, `${VAR:-x}`), not escaped as `$${VAR}`. */
const VARIABLE = /(^|[^$])\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function unsetVariableNames(text: string, defined: Set<string>): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(VARIABLE)) if (!defined.has(m[2])) names.add(m[2]);
  return [...names];
}

/**
 * A Flux Kustomization with `postBuild` substitutes variables in what it
 * deploys; a `${VAR}` there that `postBuild.substitute` does not define (and
 * no ConfigMap of `substituteFrom` in scope defines) is unset. With a Secret in
 * `substituteFrom`, values are unknowable offline and nothing is reported.
 */
function unsetVariables(tree: LoadedTree, s: Subject, renderedByDir: Map<string, Subject[]>, configMaps: () => Subject[]): Finding[] {
  if (groupOf(String(s.object.apiVersion)) !== 'kustomize.toolkit.fluxcd.io' || s.object.kind !== 'Kustomization') return [];
  const sp = spec(s.object);
  const postBuild = sp.postBuild as Record<string, unknown> | undefined;
  if (!postBuild || typeof sp.path !== 'string') return [];
  const from = Array.isArray(postBuild.substituteFrom) ? (postBuild.substituteFrom as Record<string, unknown>[]) : [];
  if (from.some((f) => f.kind !== 'ConfigMap')) return [];
  const dir = sp.path.replace(/^\.\//, '').replace(/\/$/, '');
  const deployed = renderedByDir.get(dir === '.' ? '' : dir);
  if (!deployed) return [];
  const defined = new Set(Object.keys((postBuild.substitute ?? {}) as object));
  for (const f of from) {
    const isIt = (x: Subject) => x.object.kind === 'ConfigMap' && metadataOf(x.object).name === f.name;
    const cm = deployed.find(isIt) ?? configMaps().find(isIt);
    if (!cm) return [];
    for (const k of Object.keys((cm.object.data ?? {}) as object)) defined.add(k);
  }
  const out: Finding[] = [];
  for (const d of deployed) {
    const ann = (((d.object.metadata ?? {}) as Record<string, unknown>).annotations ?? {}) as Record<string, unknown>;
    const labels = (((d.object.metadata ?? {}) as Record<string, unknown>).labels ?? {}) as Record<string, unknown>;
    if (ann['kustomize.toolkit.fluxcd.io/substitute'] === 'disabled' || labels['kustomize.toolkit.fluxcd.io/substitute'] === 'disabled') continue;
    for (const name of unsetVariableNames(JSON.stringify(d.object), defined)) {
      out.push(make(tree, d, {
        at: pathOfVariable(d.object, name) ?? [], rule: 'unset-variable', severity: 'error',
        message: `\${${name}} in ${resourceName(d.object)} is not defined by Flux Kustomization '${shortName(s.object)}' (${s.file}).`,
        hint: `Add '${name}' to spec.postBuild.substitute, give it a default (\${${name}:=value}), or escape it as $\${${name}}.`,
      }));
    }
  }
  return out;
}

/** Where in an object a `${name}` is written (the first string value holding it). */
function pathOfVariable(value: unknown, name: string, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return unsetVariableNames(value, new Set()).includes(name) ? path : undefined;
  if (!value || typeof value !== 'object') return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, v] of entries) {
    const hit = pathOfVariable(v, name, [...path, key]);
    if (hit) return hit;
  }
  return undefined;
}
