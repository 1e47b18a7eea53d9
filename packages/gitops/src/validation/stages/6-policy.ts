/**
 * Stage 6, policy: no plaintext Secret; pinned environments use exact chart
 * versions; manually synced environments do not sync automatically; no
 * `latest` images that run; no deprecated or removed apiVersions (one table,
 * data/deprecated-apis.yaml, names the replacement); in our layout no
 * AppProject opened to `*`.
 */
import { isExactVersion } from '../../model/vocabulary';
import { deprecationOf } from '../data/index';
import { Finding, RuleId, Severity } from '../types';
import { LoadedTree, objectsOf } from './1-load';
import { isSopsDocument, sopsGenerated } from './opaque-values';
import { dotted, folderOf, placeIn, Subject } from './subject';
import {
  applicationSourcesOf,
  ARGOCD_GROUP,
  groupOf,
  isArgoApplication,
  isHelmRelease,
  metadataOf,
  resourceName,
  shortName,
} from '../../model/kubernetes';

/** How an environment must behave; scopes without an entry have no environment policy. */
export interface ScopePolicy {
  pinned: boolean;
  manual: boolean;
  /** error when the tree declared it (environment.yaml), warning when inferred from a folder name. */
  severity: Severity;
}

export interface PolicyOptions {
  policyOf: (env: string) => ScopePolicy | undefined;
  /** Our layout: AppProjects must not be opened to `*`. */
  leastPrivilege: boolean;
}

export function checkPolicy(subjects: Subject[], tree: LoadedTree, options: PolicyOptions): Finding[] {
  const out: Finding[] = [];
  for (const s of subjects) {
    out.push(...plaintextSecret(tree, s), ...deprecatedApi(tree, s), ...latestImages(tree, s));
    const policy = s.env === undefined ? undefined : options.policyOf(s.env);
    if (policy?.pinned) out.push(...unpinned(tree, s, policy.severity));
    if (policy?.manual) out.push(...autoSync(tree, s, policy.severity));
    if (options.leastPrivilege) out.push(...openProject(tree, s));
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
  return {
    target: s.target ?? '',
    ...placeIn(tree, s, v.at),
    rule: v.rule,
    severity: v.severity,
    message: v.message,
    hint: v.hint,
    resource: resourceName(s.object),
  };
}

function spec(o: Record<string, unknown>): Record<string, unknown> {
  return o.spec && typeof o.spec === 'object' ? (o.spec as Record<string, unknown>) : {};
}

/** A Secret in plain text: not SOPS-encrypted, nor generated from SOPS-encrypted files. */
function plaintextSecret(tree: LoadedTree, s: Subject): Finding[] {
  if (s.object.kind !== 'Secret' || s.object.apiVersion !== 'v1' || isSopsDocument(s.object) || sopsGenerated(tree, s)) return [];
  return [
    make(tree, s, {
      at: [],
      rule: 'plaintext-secret',
      severity: 'error',
      message: `Secret '${shortName(s.object)}' is committed in plain text.`,
      hint: 'Commit a SealedSecret (kubeseal), an ExternalSecret, or a SOPS-encrypted Secret instead.',
    }),
  ];
}

function deprecatedApi(tree: LoadedTree, s: Subject): Finding[] {
  const d = deprecationOf(String(s.object.apiVersion), String(s.object.kind));
  if (!d) return [];
  const removed = d.status === 'removed';
  return [
    make(tree, s, {
      at: ['apiVersion'],
      rule: 'deprecated-api',
      severity: removed ? 'error' : 'warning',
      message: `${s.object.kind} '${shortName(s.object)}' uses ${removed ? 'removed' : 'deprecated'} apiVersion '${s.object.apiVersion}'${removed ? ', which is no longer served' : ''}.`,
      hint: `Use ${d.use}${d.note ? `; ${d.note}` : ''} (${d.source}).`,
    }),
  ];
}

/** `nginx:latest` or `nginx` (implicitly latest); digests are pinned. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return image.slice(image.indexOf('@') + 1);
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.includes(':') ? last.slice(last.indexOf(':') + 1) : undefined;
}

/** Lists of containers that run, wherever a pod template sits in a workload. */
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * `latest` (or no tag) only where an image runs: the containers of workloads, and image
 * values of a chart (HelmRelease `spec.values`, Argo CD `helm.valuesObject`). Other
 * `image` fields name repositories (a Flux ImageRepository scans `spec.image` untagged).
 */
function latestImages(tree: LoadedTree, s: Subject): Finding[] {
  const out: Finding[] = [];
  const report = (at: (string | number)[], value: unknown) => {
    const finding = latestImage(tree, s, at, value);
    if (finding) out.push(finding);
  };
  const walkPods = (v: unknown, path: (string | number)[]) => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x, i) => walkPods(x, [...path, i]));
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (CONTAINER_LISTS.has(k) && Array.isArray(x))
        x.forEach((c, i) => report([...path, k, i, 'image'], (c as Record<string, unknown> | null)?.image));
      else walkPods(x, [...path, k]);
    }
  };
  const walkValues = (v: unknown, path: (string | number)[]) => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x, i) => walkValues(x, [...path, i]));
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'image') report([...path, k], x);
      else walkValues(x, [...path, k]);
    }
  };
  walkPods(s.object, []);
  const sp = spec(s.object);
  if (isHelmRelease(s.object)) walkValues(sp.values, ['spec', 'values']);
  for (const { source, at } of applicationSourcesOf(s.object))
    walkValues((source.helm as Record<string, unknown> | undefined)?.valuesObject, [...at, 'helm', 'valuesObject']);
  return out;
}

/** An image string (`nginx:latest`, `nginx`) or an image value (`{repository, tag: latest}`) that floats. */
function latestImage(tree: LoadedTree, s: Subject, at: (string | number)[], x: unknown): Finding | undefined {
  const hint = 'Pin an exact version tag or a digest (image@sha256:…).';
  if (typeof x === 'string' && x.trim() !== '' && !x.includes('{{') && !x.includes('${')) {
    const tag = imageTag(x);
    if (tag !== 'latest' && tag !== undefined) return undefined;
    return make(tree, s, {
      at,
      rule: 'image-latest',
      severity: tag === 'latest' ? 'error' : 'warning',
      hint,
      message: `${dotted(at)} of ${resourceName(s.object)} is '${x}', which ${tag === 'latest' ? 'uses the latest tag' : 'has no tag and means latest'}.`,
    });
  }
  if (x && typeof x === 'object' && (x as Record<string, unknown>).tag === 'latest') {
    return make(tree, s, {
      at: [...at, 'tag'],
      rule: 'image-latest',
      severity: 'error',
      hint,
      message: `${dotted([...at, 'tag'])} of ${resourceName(s.object)} is 'latest'.`,
    });
  }
  return undefined;
}

function unpinned(tree: LoadedTree, s: Subject, severity: Severity): Finding[] {
  const sp = spec(s.object);
  const env = s.env;
  const hint = `Environment '${env}' pins versions: use an exact version such as '1.2.3'.`;
  const violation = (at: (string | number)[], message: string): Finding =>
    make(tree, s, { at, rule: 'production-unpinned', severity, message, hint });
  if (isHelmRelease(s.object) && sp.chart) {
    const version = ((sp.chart as Record<string, unknown>).spec as Record<string, unknown> | undefined)?.version;
    if (typeof version === 'string' && isExactVersion(version)) return [];
    return [
      violation(
        ['spec', 'chart', 'spec', 'version'],
        `HelmRelease '${shortName(s.object)}' in environment '${env}' uses chart version '${version ?? '(none: latest)'}', which is not exact.`,
      ),
    ];
  }
  if (groupOf(String(s.object.apiVersion)) === 'source.toolkit.fluxcd.io' && s.object.kind === 'OCIRepository') {
    const r = (sp.ref ?? {}) as Record<string, unknown>;
    if (typeof r.digest === 'string' || (typeof r.tag === 'string' && isExactVersion(r.tag.replace(/^v/, '')))) return [];
    const current = r.semver ?? r.tag ?? '(none: latest)';
    return [
      violation(
        ['spec', 'ref'],
        `OCIRepository '${shortName(s.object)}' in environment '${env}' uses ref '${String(current)}', which is not an exact tag or digest.`,
      ),
    ];
  }
  if (isArgoApplication(s.object)) {
    return applicationSourcesOf(s.object).flatMap(({ source, at }) => {
      const chart = chartOf(source);
      if (chart === undefined) return [];
      const rev = source.targetRevision;
      if (typeof rev === 'string' && isExactVersion(rev)) return [];
      return [
        violation(
          [...at, 'targetRevision'],
          `Application '${shortName(s.object)}' in environment '${env}' uses chart ${chart} at '${String(rev ?? '(none: latest)')}', which is not exact.`,
        ),
      ];
    });
  }
  return [];
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
  if (isArgoApplication(s.object)) {
    const automated = (sp.syncPolicy as Record<string, unknown> | undefined)?.automated;
    if (!automated || (automated as Record<string, unknown>).enabled === false || isAppOfApps(tree, s.object)) return [];
    return [
      make(tree, s, {
        at: ['spec', 'syncPolicy', 'automated'],
        rule: 'production-auto-sync',
        severity,
        message: `Application '${shortName(s.object)}' syncs automatically, but environment '${env}' is synced manually.`,
        hint: 'Remove spec.syncPolicy.automated; a person syncs this environment.',
      }),
    ];
  }
  if (group === 'kustomize.toolkit.fluxcd.io' && s.object.kind === 'Kustomization' && metadataOf(s.object).name !== 'flux-system') {
    // Gated: it reconciles from a source other than the branch that flux bootstrap follows (stages/gate.ts checks the release tag in layout mode).
    const source = (sp.sourceRef as Record<string, unknown> | undefined)?.name;
    if (sp.suspend === true || (typeof source === 'string' && source !== 'flux-system')) return [];
    return [
      make(tree, s, {
        at: sp.sourceRef === undefined ? ['spec'] : ['spec', 'sourceRef'],
        rule: 'production-auto-sync',
        severity,
        message: `Flux Kustomization '${shortName(s.object)}' reconciles from the branch (GitRepository flux-system), but environment '${env}' is synced manually.`,
        hint: 'Point spec.sourceRef at a GitRepository on a release tag (nx sync writes gitops-release from environment.yaml release).',
      }),
    ];
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
function isAppOfApps(tree: LoadedTree, application: Record<string, unknown>): boolean {
  const sources = applicationSourcesOf(application);
  if (sources.length !== 1) return false;
  const { source } = sources[0];
  if (chartOf(source) !== undefined || typeof source.path !== 'string') return false;
  const dir = folderOf(source.path);
  if (dir === '' || dir.startsWith('..') || !tree.reader.isDirectory(dir)) return false;
  const objects = tree.yamlFilesUnder(dir).flatMap((f) => {
    const parsed = tree.file(f);
    return parsed ? objectsOf(parsed).map((o) => o.object) : [];
  });
  const isKustomizeConfig = (o: Record<string, unknown>) => String(o.apiVersion).startsWith('kustomize.config.k8s.io/');
  const deployed = objects.filter((o) => !isKustomizeConfig(o));
  return (
    deployed.length > 0 &&
    deployed.length === objects.length &&
    deployed.every((o) => groupOf(String(o.apiVersion)) === ARGOCD_GROUP && APP_OF_APPS_KINDS.has(String(o.kind)))
  );
}

/**
 * Least privilege in our layout: an AppProject limits what its Applications may deploy; one
 * opened to `*` (any repository, any destination, every cluster-scoped resource) limits nothing.
 */
function openProject(tree: LoadedTree, s: Subject): Finding[] {
  if (s.object.kind !== 'AppProject' || groupOf(String(s.object.apiVersion)) !== ARGOCD_GROUP) return [];
  const sp = spec(s.object);
  const list = (v: unknown) => (Array.isArray(v) ? v : []) as unknown[];
  const open: { at: (string | number)[]; what: string }[] = [];
  list(sp.sourceRepos).forEach((r, i) => r === '*' && open.push({ at: ['spec', 'sourceRepos', i], what: 'any source repository' }));
  list(sp.destinations).forEach((d, i) => {
    const dest = (d ?? {}) as Record<string, unknown>;
    for (const key of ['server', 'name', 'namespace'])
      if (dest[key] === '*') open.push({ at: ['spec', 'destinations', i, key], what: `any destination ${key}` });
  });
  list(sp.clusterResourceWhitelist).forEach((r, i) => {
    const res = (r ?? {}) as Record<string, unknown>;
    if (res.group === '*' && res.kind === '*') open.push({ at: ['spec', 'clusterResourceWhitelist', i], what: 'every cluster-scoped resource' });
  });
  return open.map(({ at, what }) =>
    make(tree, s, {
      at,
      rule: 'appproject-open',
      severity: 'error',
      message: `AppProject '${shortName(s.object)}' allows ${what} ('*' at ${dotted(at)}).`,
      hint: "Name what the project needs (its repositories, its layer's namespace, the cluster kinds it creates); the environment generator writes AppProjects that way.",
    }),
  );
}
