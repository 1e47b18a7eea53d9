import { diffObjects, diffValues } from './diff';
import { argoValues, fluxValues, mergeValues } from './values';

describe('effective values, merged once for both engines', () => {
  it('later layers win, maps merge key by key, lists are replaced and a null removes the key (as Helm coalesces)', () => {
    expect(
      mergeValues([
        { image: { repository: 'airflow', tag: '2.9' }, env: ['A', 'B'], debug: true },
        { image: { tag: '2.10' }, env: ['C'], debug: null },
      ]),
    ).toEqual({ image: { repository: 'airflow', tag: '2.10' }, env: ['C'] });
  });

  it('Flux: valuesFrom in order, then spec.values; a Secret source is named, never read', () => {
    const release = {
      kind: 'HelmRelease',
      spec: {
        valuesFrom: [
          { kind: 'ConfigMap', name: 'v', valuesKey: 'base.yaml' },
          { kind: 'ConfigMap', name: 'v', valuesKey: 'environment.yaml' },
          { kind: 'Secret', name: 'creds' },
          { kind: 'ConfigMap', name: 'absent', optional: true },
        ],
        values: { replicas: 4 },
      },
    };
    const configMap = {
      kind: 'ConfigMap',
      metadata: { name: 'v' },
      data: { 'base.yaml': 'replicas: 1\nimage: {tag: "1"}\n', 'environment.yaml': 'replicas: 2\nimage: {tag: "2"}\n' },
    };
    const result = fluxValues(release, [configMap]);
    expect(result.values).toEqual({ replicas: 4, image: { tag: '2' } });
    expect(result.sources).toEqual(['ConfigMap v key base.yaml', 'ConfigMap v key environment.yaml', 'spec.values']);
    expect(result.unread).toEqual(['Secret creds key values.yaml (a Secret: its values are not shown)']);
  });

  it('Argo CD: valueFiles of this repository in order, then helm.values, then helm.valuesObject', () => {
    const files: Record<string, string> = { 'gitops/base.yaml': 'a: 1\nb: 1\nc: 1\n', 'gitops/env.yaml': 'b: 2\n' };
    const app = {
      kind: 'Application',
      spec: {
        sources: [
          {
            repoURL: 'https://charts.example.com',
            chart: 'x',
            helm: { valueFiles: ['$values/gitops/base.yaml', '$values/gitops/env.yaml', '$other/x.yaml'], values: 'c: 3\n', valuesObject: { d: 4 } },
          },
          { repoURL: 'https://git.example.com/repo.git', ref: 'values' },
          { repoURL: 'https://git.example.com/other.git', ref: 'other' },
        ],
      },
    };
    const result = argoValues(app, 'https://git.example.com/repo.git', (p) => files[p] ?? null);
    expect(result.values).toEqual({ a: 1, b: 2, c: 3, d: 4 });
    expect(result.unread).toEqual(['value file $other/x.yaml (not a file of this repository)']);
  });
});

describe('the Kubernetes-aware diff', () => {
  it('matches named list items by name, so an inserted container changes only itself', () => {
    const before = {
      containers: [
        { name: 'app', image: 'app:1' },
        { name: 'sidecar', image: 'proxy:1' },
      ],
    };
    const after = {
      containers: [
        { name: 'init', image: 'busybox:1' },
        { name: 'app', image: 'app:2' },
        { name: 'sidecar', image: 'proxy:1' },
      ],
    };
    expect(diffValues(before, after)).toEqual([
      { path: 'containers[name=app].image', from: 'app:1', to: 'app:2' },
      { path: 'containers[name=init].name', to: 'init' },
      { path: 'containers[name=init].image', to: 'busybox:1' },
    ]);
  });

  it('matches objects by kind, namespace and name; lists what was added and removed', () => {
    const cm = (name: string, v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data: { k: v } });
    expect(diffObjects([cm('a', '1'), cm('b', '1')], [cm('a', '2'), cm('c', '1')])).toEqual([
      { title: 'ConfigMap ns/a', status: 'changed', changes: [{ path: 'data.k', from: '1', to: '2' }] },
      { title: 'ConfigMap ns/b', status: 'removed', changes: [] },
      { title: 'ConfigMap ns/c', status: 'added', changes: [] },
    ]);
  });

  it('shows SealedSecret and SOPS data as "encrypted, changed", never the ciphertext', () => {
    const sealed = (v: string) => ({
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 's' },
      spec: { encryptedData: { password: v } },
    });
    expect(diffObjects([sealed('AgBy1')], [sealed('AgBy2')])[0].changes).toEqual([
      { path: 'spec.encryptedData.password', from: '(encrypted, changed)', to: '(encrypted, changed)' },
    ]);
    const sops = (v: string, mac: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x' },
      data: { token: v },
      sops: { mac, lastmodified: mac },
    });
    const changes = diffObjects([sops('ENC[a]', 'm1')], [sops('ENC[b]', 'm2')])[0].changes;
    expect(changes).toEqual([
      { path: 'data.token', from: '(encrypted, changed)', to: '(encrypted, changed)' },
      { path: 'sops', from: '(encrypted, changed)', to: '(encrypted, changed)' },
    ]);
  });
});
