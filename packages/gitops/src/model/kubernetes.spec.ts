import { chartRefsOf, resourceId, resourceName } from './kubernetes';

const release = (spec: Record<string, unknown>) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'kafka', namespace: 'streaming' },
  spec,
});

describe('chartRefsOf', () => {
  it('reads a HelmRepository reference with the path of the field that names it', () => {
    const o = release({ chart: { spec: { chart: 'strimzi', sourceRef: { kind: 'HelmRepository', name: 'strimzi', namespace: 'flux-system' } } } });
    expect(chartRefsOf(o)).toEqual([
      { kind: 'HelmRepository', name: 'strimzi', namespace: 'flux-system', at: ['spec', 'chart', 'spec', 'sourceRef', 'name'] },
    ]);
  });

  it('reads an OCIRepository chartRef; a reference without namespace leaves it to the release', () => {
    expect(chartRefsOf(release({ chartRef: { kind: 'OCIRepository', name: 'podinfo' } }))).toEqual([
      { kind: 'OCIRepository', name: 'podinfo', at: ['spec', 'chartRef', 'name'] },
    ]);
  });

  it('gives nothing for other kinds, other groups, or a reference without kind and name', () => {
    const ref = { chartRef: { kind: 'OCIRepository', name: 'podinfo' } };
    expect(chartRefsOf({ ...release(ref), kind: 'Kustomization' })).toEqual([]);
    expect(chartRefsOf({ ...release(ref), apiVersion: 'example.com/v1' })).toEqual([]);
    expect(chartRefsOf(release({ chartRef: { name: 'podinfo' } }))).toEqual([]);
    expect(chartRefsOf(release({ chart: 'not-an-object' }))).toEqual([]);
  });
});

describe('object identity', () => {
  it('names an object by kind, namespace and name, and identifies it by group too', () => {
    const o = release({});
    expect(resourceName(o)).toBe('HelmRelease/streaming/kafka');
    expect(resourceId(o)).toBe('helm.toolkit.fluxcd.io|HelmRelease|streaming|kafka');
    expect(resourceName({ kind: 'Namespace', metadata: { name: 'ml' } })).toBe('Namespace/ml');
  });
});
