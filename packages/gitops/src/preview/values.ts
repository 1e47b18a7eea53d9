/**
 * Effective Helm values, merged as each engine merges them before Helm sees them:
 * - Flux helm-controller: each `valuesFrom` entry in order, then `spec.values`;
 * - Argo CD: each `helm.valueFiles` entry in order, then `helm.values`, then `helm.valuesObject`.
 * Both then hand Helm one map, which Helm coalesces over the chart's defaults with the same rule
 * as `mergeValues`: maps merge key by key, anything else (lists included) is replaced, and a null
 * removes the key.
 */
import { mergeValues, Values } from '../model/helm-values';
import { readYaml } from '../model/yaml-io';

export { mergeValues };
export type { Values };

export interface EffectiveValues {
  values: Values;
  /** Where the values came from, in merge order (for the report). */
  sources: string[];
  /** Values the preview cannot read, said plainly (a Secret's, a value file outside the repository). */
  unread: string[];
}

function isMap(v: unknown): v is Values {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

type K8s = { kind?: string; metadata?: { name?: string; namespace?: string }; data?: Record<string, string>; spec?: Record<string, unknown> };

interface ValuesReference {
  kind?: string;
  name?: string;
  valuesKey?: string;
  targetPath?: string;
  optional?: boolean;
}

/** A Flux HelmRelease's values, resolving `valuesFrom` ConfigMaps among the objects rendered with it. */
export function fluxValues(release: K8s, rendered: readonly K8s[]): EffectiveValues {
  const result: EffectiveValues = { values: {}, sources: [], unread: [] };
  const layers: Values[] = [];
  const refs = (release.spec?.valuesFrom ?? []) as ValuesReference[];
  for (const ref of refs) {
    const key = ref.valuesKey ?? 'values.yaml';
    const label = `${ref.kind} ${ref.name} key ${key}`;
    if (ref.kind === 'Secret') {
      result.unread.push(`${label} (a Secret: its values are not shown)`);
      continue;
    }
    const source = rendered.find((o) => o.kind === ref.kind && o.metadata?.name === ref.name);
    const text = source?.data?.[key];
    if (text === undefined) {
      if (!ref.optional) result.unread.push(`${label} (not in this kustomization's output)`);
      continue;
    }
    result.sources.push(label);
    layers.push(ref.targetPath ? atPath(ref.targetPath, text) : asValues(readYaml(label, text)));
  }
  if (isMap(release.spec?.values)) {
    result.sources.push('spec.values');
    layers.push(release.spec.values);
  }
  result.values = mergeValues(layers);
  return result;
}

interface ArgoSource {
  repoURL?: string;
  ref?: string;
  helm?: { valueFiles?: string[]; values?: string; valuesObject?: Values };
}

/**
 * An Argo CD Application's values for its chart source: `$<ref>/<path>` value files are read from
 * this repository (through `readFile`) when the ref source is it.
 */
export function argoValues(application: K8s, repository: string, readFile: (path: string) => string | null): EffectiveValues {
  const result: EffectiveValues = { values: {}, sources: [], unread: [] };
  const spec = application.spec ?? {};
  const sources = (Array.isArray(spec.sources) ? spec.sources : spec.source ? [spec.source] : []) as ArgoSource[];
  const refs = new Map(sources.filter((s) => s.ref).map((s) => [`$${s.ref}`, s.repoURL]));
  const chart = sources.find((s) => s.helm);
  const layers: Values[] = [];
  for (const file of chart?.helm?.valueFiles ?? []) {
    const [prefix, ...rest] = file.split('/');
    const path = rest.join('/');
    const text = refs.get(prefix) === repository ? readFile(path) : null;
    if (text === null) {
      result.unread.push(`value file ${file} (not a file of this repository)`);
      continue;
    }
    result.sources.push(path);
    layers.push(asValues(readYaml(path, text)));
  }
  if (typeof chart?.helm?.values === 'string') {
    result.sources.push('helm.values');
    layers.push(asValues(readYaml('helm.values', chart.helm.values)));
  }
  if (isMap(chart?.helm?.valuesObject)) {
    result.sources.push('helm.valuesObject');
    layers.push(chart.helm.valuesObject);
  }
  result.values = mergeValues(layers);
  return result;
}

function asValues(v: unknown): Values {
  return isMap(v) ? v : {};
}

/** Flux `targetPath`: the raw text set at a dotted path. */
function atPath(path: string, text: string): Values {
  const keys = path.split('.');
  const root: Values = {};
  let node = root;
  keys.slice(0, -1).forEach((k) => (node = node[k] = {} as Values));
  node[keys[keys.length - 1]] = text;
  return root;
}
