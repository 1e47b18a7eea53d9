/**
 * The committed gitops/ tree is exactly what the generators produce: rebuild
 * it from scratch in a temporary copy and compare byte for byte.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createTempWorkspace, TempWorkspace, WORKSPACE_ROOT } from './support/workspace';

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(root, path) : [relative(root, path)];
  });
}

describe('live tree (gitops/)', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = createTempWorkspace({ prefix: 'gitops-live-' });
    ws.run(process.execPath, ['tools/regenerate-tree.js', ws.root]);
  }, 120_000);
  afterAll(() => ws?.remove());

  it('regenerating from scratch gives the committed tree, byte for byte', () => {
    const committed = join(WORKSPACE_ROOT, 'gitops');
    const regenerated = join(ws.root, 'gitops');
    const expected = filesUnder(committed).sort();
    expect(filesUnder(regenerated).sort()).toEqual(expected);
    const differing = expected.filter((f) => readFileSync(join(committed, f), 'utf8') !== readFileSync(join(regenerated, f), 'utf8'));
    expect(differing).toEqual([]);
  });

  it('holds the seeds platform in development, staging and production, without redis-operator', () => {
    const envs = readdirSync(join(ws.root, 'gitops/clusters')).sort();
    expect(envs).toEqual(['development', 'production', 'staging']);
    const flux = readdirSync(join(ws.root, 'gitops/clusters/production/flux'))
      .map((f) => f.replace(/\.yaml$/, ''))
      .sort();
    expect(flux).toEqual([
      'airflow',
      'cloudnative-pg',
      'external-secrets',
      'flink-kubernetes-operator',
      'kafka-cluster',
      'kube-prometheus-stack',
      'minio-operator',
      'minio-tenant',
      'mlflow',
      // The Secret objects the components declare (ExternalSecrets), applied before them.
      'platform-secrets',
      'postgresql',
      'sealed-secrets',
      'spark-operator',
      'strimzi-kafka-operator',
    ]);
  });
});
