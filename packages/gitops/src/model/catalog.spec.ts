import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogFiles, catalogNames, loadBlueprint, loadCatalog } from './catalog';

const CATALOG = join(__dirname, '../../../../generators');

/** The real catalog folder, with optional replaced or added files. */
function files(overrides: Record<string, string> = {}): CatalogFiles {
  const disk = (p: string) => join(CATALOG, p.replace(/^generators\/?/, ''));
  return {
    read: (p) => overrides[p] ?? (readdirSync(CATALOG).includes(p.replace('generators/', '')) ? readFileSync(disk(p), 'utf-8') : null),
    exists: (p) => p === 'generators' || p in overrides || readdirSync(CATALOG).includes(p.replace('generators/', '')),
    children: () => [...new Set([...readdirSync(CATALOG), ...Object.keys(overrides).map((p) => p.replace('generators/', ''))])],
  };
}

describe('component catalog', () => {
  it('every blueprint in generators/ matches blueprint.schema.json', () => {
    const names = catalogNames(files());
    expect(names).toEqual(
      expect.arrayContaining([
        'strimzi-kafka-operator', 'minio-operator', 'spark-operator', 'flink-kubernetes-operator', 'kube-prometheus-stack',
        'redis-operator', 'sealed-secrets', 'postgresql', 'airflow', 'mlflow', 'kafka-cluster', 'minio-tenant',
      ]),
    );
    for (const name of names) expect(() => loadBlueprint(files(), name)).not.toThrow();
  });

  it('pins exact chart versions and keeps plaintext Secrets and latest tags out', () => {
    for (const bp of loadCatalog(files())) {
      if (bp.chart) expect(bp.chart.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(JSON.stringify(bp)).not.toMatch(/"kind":"Secret"|:latest"|"tag":"latest"/);
    }
  });

  it('kube-prometheus-stack comes from an OCI registry; kafka-cluster is plain manifests', () => {
    expect(loadBlueprint(files(), 'kube-prometheus-stack')!.chart!.repository).toMatch(/^oci:\/\//);
    const kafka = loadBlueprint(files(), 'kafka-cluster')!;
    expect(kafka.manifests!.map((m) => m.kind).sort()).toEqual(['Kafka', 'KafkaNodePool']);
  });

  const broken: [string, string, string][] = [
    ['a missing chart version', 'name: bad\ndescription: d\nlayer: orchestration\nchart:\n  repository: https://x.io\n  name: x\n', "Blueprint generators/bad.yaml is invalid: /chart must have required property 'version'"],
    ['a version range', 'name: bad\ndescription: d\nlayer: orchestration\nchart:\n  repository: https://x.io\n  name: x\n  version: 1.x\n', 'Blueprint generators/bad.yaml is invalid: /chart/version must match pattern'],
    ['a misspelt field', 'name: bad\ndescription: d\nlayer: orchestration\ndepends: [x]\nchart:\n  repository: https://x.io\n  name: x\n  version: 1.0.0\n', 'Blueprint generators/bad.yaml is invalid: / must NOT have additional properties'],
    ['a name that is not the file name', 'name: other\ndescription: d\nlayer: orchestration\nchart:\n  repository: https://x.io\n  name: x\n  version: 1.0.0\n', "name 'other' must equal the file name 'bad'"],
    ['an image tag latest', 'name: bad\ndescription: d\nlayer: orchestration\nchart:\n  repository: https://x.io\n  name: x\n  version: 1.0.0\nvalues:\n  image:\n    tag: latest\n', "an image tag 'latest' at values.image.tag"],
    ['a plaintext Secret', 'name: bad\ndescription: d\nlayer: data-plane\nmanifests:\n  - apiVersion: v1\n    kind: Secret\n    metadata:\n      name: s\n', 'Blueprint generators/bad.yaml is invalid: /manifests/0/kind must NOT be valid'],
    ['broken YAML', 'name: bad\n  description: [\n', 'Blueprint generators/bad.yaml:'],
  ];
  it.each(broken)('reports %s with the file name', (_what, text, message) => {
    expect(() => loadBlueprint(files({ 'generators/bad.yaml': text }), 'bad')).toThrow(message);
  });
});
