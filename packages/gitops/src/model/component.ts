/**
 * The one component model: what `component.yaml`, the base's chart source and each overlay say
 * about a component, read once. Generators, graph inference, derive and validation all take it.
 */
import { ComponentKind, isExactVersion, repoKind } from './vocabulary';
import { readYaml } from './yaml-io';

export interface Reference {
  /** The name as written. */
  name: string;
  /** Where it is written. */
  file: string;
  line: number;
}

/** A chart: `https://` Helm repository with the chart's name, or the `oci://` path of the chart itself. */
export interface ChartRef {
  repository: string;
  name: string;
}

/** A component's overlay for one environment: that it exists (the component is deployed there) and its chart version. */
export interface Overlay {
  env: string;
  /** The chart version of `version.yaml` (helm components), an exact version or a range. */
  version?: string;
}

/** A Secret a component needs (component.yaml `secrets`, from its blueprint): the provider supplies it in every environment. */
export interface SecretDeclaration {
  name: string;
  /** Where the Secret must exist: the declaration's `namespace`, else the component's. */
  namespace: string;
  description?: string;
  /** Each key and what it holds. */
  keys: { name: string; description: string }[];
  /** The operator component that creates it (CloudNativePG's `<cluster>-app`): declared so it is known, never provided. */
  providedBy?: string;
  /** Line of the entry in component.yaml (1-based). */
  line: number;
}

export interface Component {
  name: string;
  /** The layer folder it lives in (`components/<layer>/`); platform.yaml says what the layer is. */
  layer: string;
  dir: string;
  /** Its component.yaml. */
  file: string;
  kind: ComponentKind;
  /** The namespace it deploys into: component.yaml's, else its layer's. */
  namespace: string;
  /** component.yaml `namespace`, when it says one. */
  declaredNamespace?: string;
  dependsOn: Reference[];
  description?: string;
  /** The Helm release name: component.yaml `releaseName` (kept by rename and import), else the name. */
  releaseName: string;
  /** The chart the base deploys (helm components), when the base files were read. */
  chart?: ChartRef;
  /** The chart installs CRDs (the base HelmRelease creates and replaces them). */
  crds: boolean;
  /** The overlays by environment, when they were read: where the component is deployed. */
  overlays: Map<string, Overlay>;
  secrets: SecretDeclaration[];
}

/** The declared Secrets the platform's provider must supply (not those an operator creates). */
export function providedSecrets(c: Pick<Component, 'secrets'>): SecretDeclaration[] {
  return c.secrets.filter((s) => !s.providedBy);
}

export function dependencyNames(c: Pick<Component, 'dependsOn'>): string[] {
  return c.dependsOn.map((d) => d.name);
}

/** What the base's chart source (source.yaml) and HelmRelease (helmrelease.yaml) say about the chart. */
export function chartOf(sourceText: string | null, releaseText: string | null, path = 'base'): { chart?: ChartRef; crds: boolean } {
  const source = sourceText === null ? null : readYaml<{ spec?: { url?: unknown } } | null>(`${path}/source.yaml`, sourceText);
  const release =
    releaseText === null
      ? null
      : readYaml<{
          spec?: {
            chart?: { spec?: { chart?: unknown } };
            install?: { crds?: unknown };
          };
        } | null>(`${path}/helmrelease.yaml`, releaseText);
  const crds = release?.spec?.install?.crds === 'Create';
  const url = source?.spec?.url;
  if (typeof url !== 'string') return { crds };
  const named = release?.spec?.chart?.spec?.chart;
  return {
    chart: {
      repository: url,
      name: typeof named === 'string' ? named : url.split('/').pop()!,
    },
    crds,
  };
}

/**
 * Where a version patch keeps the version: a HelmRelease's chart version (exact or a range), or an
 * OCIRepository's `ref.tag` for an exact version and `ref.semver` for a range (a tag is matched
 * literally: `1.2.x` as a tag would never be found).
 */
export function versionPath(chart: ChartRef, version: string): string[] {
  if (repoKind(chart.repository) !== 'oci') return ['spec', 'chart', 'spec', 'version'];
  return ['spec', 'ref', isExactVersion(version) ? 'tag' : 'semver'];
}

/** Every place a version patch of this chart may hold the version, in the order to read them. */
export function versionPaths(chart: ChartRef): string[][] {
  return repoKind(chart.repository) === 'oci'
    ? [
        ['spec', 'ref', 'tag'],
        ['spec', 'ref', 'semver'],
      ]
    : [['spec', 'chart', 'spec', 'version']];
}

/** The version a parsed version patch holds, wherever this chart keeps it. */
export function versionIn(chart: ChartRef, patch: unknown): string | undefined {
  for (const path of versionPaths(chart)) {
    let node = patch;
    for (const key of path) node = (node as Record<string, unknown> | null | undefined)?.[key];
    if (node !== undefined && node !== null) return String(node);
  }
  return undefined;
}
