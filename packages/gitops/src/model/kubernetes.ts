/**
 * Facts about Kubernetes objects as plain data, the ones the graph and
 * validation both read: an object's identity, which chart source a Flux
 * HelmRelease names, and an Argo CD Application's sources. One reading of
 * each, so a graph edge and a finding (or two rules) cannot disagree about
 * the same field.
 */

export function metadataOf(o: Record<string, unknown>): { name?: string; namespace?: string } {
  const m = (o.metadata ?? {}) as Record<string, unknown>;
  return { name: typeof m.name === 'string' ? m.name : undefined, namespace: typeof m.namespace === 'string' ? m.namespace : undefined };
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i === -1 ? '' : apiVersion.slice(0, i);
}

/** `Kind/namespace/name` (or `Kind/name` for cluster-scoped or namespace-less objects). */
export function resourceName(o: Record<string, unknown>): string {
  const { name, namespace } = metadataOf(o);
  return [o.kind, namespace, name ?? '?'].filter((x) => x !== undefined).join('/');
}

/** `namespace/name` or `name`, for messages that already say the kind. */
export function shortName(o: Record<string, unknown>): string {
  const { name, namespace } = metadataOf(o);
  return namespace ? `${namespace}/${name ?? '?'}` : (name ?? '?');
}

/** Identity kustomize and the API server use: group, kind, namespace, name. */
export function resourceId(o: Record<string, unknown>): string {
  const { name, namespace } = metadataOf(o);
  return `${groupOf(String(o.apiVersion))}|${o.kind}|${namespace ?? ''}|${name ?? ''}`;
}

/** The Flux kinds a HelmRelease takes its chart from. */
export const CHART_SOURCE_KINDS = ['HelmRepository', 'OCIRepository'] as const;

export const HELM_GROUP = 'helm.toolkit.fluxcd.io';

export function isHelmRelease(o: Record<string, unknown>): boolean {
  return o.kind === 'HelmRelease' && groupOf(String(o.apiVersion)) === HELM_GROUP;
}

/** A chart source a HelmRelease names, and the path of the field that names it. */
export interface ChartRef {
  kind: string;
  name: string;
  /** The reference's own namespace; absent means the HelmRelease's. */
  namespace?: string;
  at: (string | number)[];
}

/**
 * The chart sources a Flux HelmRelease names: `spec.chart.spec.sourceRef`
 * (a HelmRepository, GitRepository or Bucket) and `spec.chartRef` (an
 * OCIRepository or HelmChart). Anything else, or a reference without a kind
 * and a name, gives none.
 */
export function chartRefsOf(o: Record<string, unknown>): ChartRef[] {
  if (!isHelmRelease(o)) return [];
  const spec = record(o.spec);
  const candidates: [unknown, (string | number)[]][] = [
    [record(record(spec.chart).spec).sourceRef, ['spec', 'chart', 'spec', 'sourceRef', 'name']],
    [spec.chartRef, ['spec', 'chartRef', 'name']],
  ];
  return candidates.flatMap(([value, at]) => {
    const r = record(value);
    if (typeof r.kind !== 'string' || typeof r.name !== 'string') return [];
    return [{ kind: r.kind, name: r.name, ...(typeof r.namespace === 'string' ? { namespace: r.namespace } : {}), at }];
  });
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export const ARGOCD_GROUP = 'argoproj.io';

export function isArgoApplication(o: Record<string, unknown>): boolean {
  return o.kind === 'Application' && groupOf(String(o.apiVersion)) === ARGOCD_GROUP;
}

/** A source of an Argo CD Application, and the path of the source in the object. */
export interface ApplicationSource {
  source: Record<string, unknown>;
  at: (string | number)[];
}

/** The sources of an Argo CD Application (`spec.source`, `spec.sources[i]`); none for any other object. */
export function applicationSourcesOf(o: Record<string, unknown>): ApplicationSource[] {
  if (!isArgoApplication(o)) return [];
  const spec = record(o.spec);
  const out: ApplicationSource[] = [];
  if (spec.source && typeof spec.source === 'object') out.push({ source: record(spec.source), at: ['spec', 'source'] });
  (Array.isArray(spec.sources) ? spec.sources : []).forEach((x, i) => {
    if (x && typeof x === 'object') out.push({ source: record(x), at: ['spec', 'sources', i] });
  });
  return out;
}
