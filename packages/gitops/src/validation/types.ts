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
  /** CRD files (dir relative to root) that make CRs of their kinds checkable. Layout mode default: `gitops/crds`. */
  crdsDir?: string;
  /** Parallel kustomize processes; default: the number of CPUs (at least 2). */
  concurrency?: number;
  /**
   * Absolute folder of the render memo (validation/render-memo.ts): renders of
   * unchanged kustomizations are read from there. No memo when absent (the CLI).
   */
  renderCacheDir?: string;
}

export interface Finding {
  /** Which requested target the finding belongs to. */
  target: string;
  /** Relative POSIX path. */
  file: string;
  line: number;
  column?: number;
  /** Stable kebab-case id (API). */
  rule: string;
  severity: Severity;
  message: string;
  hint?: string;
  /** kind/namespace/name when about a rendered object. */
  resource?: string;
}

export interface ValidationStats {
  targets: number;
  files: number;
  renders: number;
  /** Kustomization directories whose render came from the memo. */
  memoHits?: number;
  documents: number;
  schemaChecked: number;
  unchecked: number;
  durationMs: number;
}

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
 * untagged image) and `production-*` (warnings where the any layout infers
 * production from a folder name).
 */
export const RULES = {
  'yaml-syntax': 'A YAML file does not parse.',
  'yaml-duplicate-key': 'A mapping repeats a key.',
  'render-failed': 'kustomize cannot build a kustomization directory.',
  'kustomize-missing': 'kubectl (with its embedded kustomize) cannot be run.',
  'schema-invalid': 'An object does not match the schema of its apiVersion/kind.',
  'schema-unknown-field': 'An object has a field its schema does not define.',
  'helmrelease-chart-xor': 'A HelmRelease sets both or neither of spec.chart and spec.chartRef.',
  'schema-unchecked': 'No schema is known for a custom resource kind.',
  'ref-chart-source': 'A HelmRelease names a chart source that does not exist.',
  'ref-depends-on': 'A dependsOn entry names something that does not exist.',
  'ref-path': 'A Flux Kustomization or Argo CD Application path does not exist.',
  'ref-app-project': 'An Argo CD Application names an AppProject that does not exist.',
  'duplicate-resource': 'Two sources define the same object in one environment.',
  'layer-violation': 'A component depends on a component of a higher layer.',
  'dependency-cycle': 'Components depend on each other in a loop.',
  'plaintext-secret': 'A plain Secret is committed.',
  'production-unpinned': 'A pinned environment uses a floating chart version.',
  'production-auto-sync': 'A manually synced environment syncs automatically.',
  'image-latest': 'An image uses the latest tag or no tag.',
  'deprecated-api': 'An apiVersion or kustomize field is deprecated or removed.',
  'unset-variable': 'A ${VAR} is not defined by the Flux Kustomization that substitutes it.',
  'config-invalid': 'A platform, component or environment settings file is invalid.',
  'derived-drift': 'A derived file differs from what its sources of truth give (run nx sync).',
  'secret-missing': 'A Secret a component declares has no ExternalSecret, SealedSecret or SOPS-encrypted Secret in an environment that deploys it.',
  'gate-open': 'An entry of a manually synced environment does not apply the release tag.',
  'gate-unreleased': 'A manually synced environment names no release tag yet.',
} as const;

export type RuleId = keyof typeof RULES;
