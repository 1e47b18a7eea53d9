/** The validation contract: requests, findings and the versioned report. */

export type Severity = 'error' | 'warning' | 'info';

export interface ValidateRequest {
  /** Absolute directory: the workspace root (layout mode) or the directory given to the CLI. */
  root: string;
  /**
   * Relative POSIX dirs to validate. Layout mode: component dirs
   * (`gitops/components/<layer>/<c>`) and environment entries (`gitops/clusters/<env>`).
   * Any mode: `['']` or sub-dirs.
   */
  targets: string[];
  layout: 'gitops' | 'any';
  /** Default `kubectl` from PATH. */
  kubectl?: string;
  /**
   * Paths to leave out, in .gitignore syntax (as Flux's `--ignore-paths`), relative to
   * `root`; the tree's `.sourceignore` files are applied as well (validation/scope.ts).
   */
  exclude?: string[];
  /** CRD files (dir relative to root) that make CRs of their kinds checkable. Layout mode default: `gitops/crds`. */
  crdsDir?: string;
  /** Parallel kustomize processes; default: the number of CPUs (at least 2). */
  concurrency?: number;
  /**
   * Absolute folder of the validation cache (validation/caches.ts): renders,
   * schema verdicts and the tree model of unchanged inputs are read from
   * there. No cache when absent (the CLI).
   */
  cacheDir?: string;
}

export interface Finding {
  /** Which requested target the finding belongs to. */
  target: string;
  /** Relative POSIX path. */
  file: string;
  line: number;
  column?: number;
  /** Stable kebab-case id (API): a key of RULES. */
  rule: RuleId;
  severity: Severity;
  message: string;
  hint?: string;
  /** kind/namespace/name when about a rendered object. */
  resource?: string;
}

/** Why a run did not check a path. */
export type SkipReason = 'helm-chart' | 'excluded' | 'sourceignore' | 'remote-resource' | 'unchecked-kind';

/** Something a run did not check, and why. */
export interface SkippedPath {
  /** Relative POSIX path of a folder or file ('.' for the directory given). */
  path: string;
  reason: SkipReason;
  /** What exactly: the remote resources, the kind without a schema. */
  detail?: string;
}

export interface ValidationStats {
  targets: number;
  files: number;
  /** kustomize processes run. */
  renders: number;
  /** Kustomization directories whose render came from the cache. */
  memoHits?: number;
  /** Objects whose schema verdict came from the cache. */
  verdictHits?: number;
  documents: number;
  schemaChecked: number;
  unchecked: number;
  durationMs: number;
  /** Wall-clock milliseconds per stage (load and drift overlap render: they run while kustomize does). */
  stages: Partial<Record<StageName, number>>;
  /** What the run did not check, and why, sorted by path. */
  skipped: SkippedPath[];
}

export const STAGES = ['plan', 'config', 'render', 'load', 'post-build', 'schema', 'references', 'policy', 'drift'] as const;
export type StageName = (typeof STAGES)[number];

export interface ValidationReport {
  version: 1;
  findings: Finding[];
  stats: ValidationStats;
}

/**
 * Every rule id the engine can report (stable, API), with what it means.
 * Severity is decided per finding, not per rule: error, except
 * `schema-unchecked` (always a warning), `schema-unknown-field` (a warning in
 * kinds the generators do not write), `image-latest` (a warning for an
 * untagged image), `production-*` (warnings where the any layout infers
 * production from a folder name), `deprecated-api` (a warning while the API is
 * still served), `unsubstituted-variable` (info in any tree, a warning in the
 * gitops layout) and `sops-no-decryption` (a warning).
 */
export const RULES = {
  'yaml-syntax': 'A YAML file does not parse.',
  'yaml-duplicate-key': 'A mapping repeats a key.',
  'render-failed': 'kustomize cannot build a kustomization directory.',
  'render-remote': 'A kustomization names a remote resource, which cannot be rendered offline (a warning: its objects are not checked).',
  'kustomize-missing': 'kubectl (with its embedded kustomize) cannot be run.',
  'schema-invalid': 'An object does not match the schema of its apiVersion/kind.',
  'schema-unknown-field': 'An object has a field its schema does not define.',
  'helmrelease-chart-xor': 'A HelmRelease sets both or neither of spec.chart and spec.chartRef.',
  'schema-rule': 'An object breaks a rule of its CRD the schema packages drop (a Flux duration pattern or CEL rule).',
  'schema-unchecked': 'No schema is known for a custom resource kind.',
  'ref-chart-source': 'A HelmRelease names a chart source that does not exist.',
  'ref-depends-on': 'A dependsOn entry names something that does not exist.',
  'ref-path': 'A Flux Kustomization or Argo CD Application path does not exist.',
  'ref-app-project': 'An Argo CD Application names an AppProject that does not exist.',
  'duplicate-resource': 'Two sources define the same object in one environment.',
  'layer-violation': 'A component depends on a component of a higher layer.',
  'dependency-cycle': 'Components depend on each other in a loop.',
  'plaintext-secret': 'A plain Secret is committed.',
  'sops-no-decryption': 'A Flux Kustomization deploys SOPS-encrypted data but has no spec.decryption.',
  'appproject-open': 'An Argo CD AppProject of the gitops layout allows any repository, destination or cluster resource (*).',
  'production-unpinned': 'A pinned environment uses a floating chart version.',
  'production-auto-sync': 'A manually synced environment syncs automatically.',
  'image-latest': 'An image uses the latest tag or no tag.',
  'deprecated-api': 'An apiVersion or kustomize field is deprecated or removed.',
  'unset-variable': 'A ${VAR} is not defined by the Flux Kustomization that substitutes it.',
  'unsubstituted-variable': 'A ${VAR} reaches the cluster literally: no Flux post-build substitutes it.',
  'config-invalid': 'A platform, component or environment settings file is invalid.',
  'derived-drift': 'A derived file differs from what its sources of truth give (run nx sync).',
  'secret-missing': 'A Secret a component declares has no ExternalSecret, SealedSecret or SOPS-encrypted Secret in an environment that deploys it.',
  'gate-open': 'An entry of a manually synced environment does not apply the release tag.',
  'gate-unreleased': 'A manually synced environment names no release tag yet.',
} as const;

export type RuleId = keyof typeof RULES;
