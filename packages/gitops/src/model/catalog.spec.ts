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
  it("enforces a workspace's own blueprint schema", () => {
    const schema = JSON.parse(readFileSync(join(CATALOG, 'blueprint.schema.json'), 'utf-8'));
    schema.required = [...(schema.required ?? []), 'owner'];
    expect(() => loadBlueprint(files({ 'generators/blueprint.schema.json': JSON.stringify(schema) }), 'airflow')).toThrow(/owner/);
  });

  it('the schema compiled at build time judges blueprints as the schema does', () => {
    // npm test builds first; tools/copy-assets.js writes the compiled schema next to the packaged catalog.
    const precompiled = require(join(__dirname, '../../dist/catalog/blueprint.schema.validate.js'));
    const { default: Ajv } = require('ajv');
    const compiled = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(CATALOG, 'blueprint.schema.json'), 'utf-8')));
    const broken = { name: 'x', layer: 'nowhere', chart: { repository: 'not a url', name: 1 }, extra: true };
    expect(precompiled(broken)).toBe(false);
    expect(compiled(broken)).toBe(false);
    expect(precompiled.errors).toEqual(compiled.errors);
  });

  it('every blueprint in generators/ matches blueprint.schema.json', () => {
    const names = catalogNames(files());
    expect(names).toEqual(
      expect.arrayContaining([
        'strimzi-kafka-operator',
        'minio-operator',
        'spark-operator',
        'flink-kubernetes-operator',
        'kube-prometheus-stack',
        'redis-operator',
        'sealed-secrets',
        'external-secrets',
        'cloudnative-pg',
        'postgresql',
        'airflow',
        'mlflow',
        'kafka-cluster',
        'minio-tenant',
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

  it('dates every pinned chart version, so a stale pin shows', () => {
    for (const bp of loadCatalog(files()).filter((b) => b.chart)) {
      expect({ name: bp.name, released: bp.chart!.released }).toEqual({ name: bp.name, released: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    }
  });

  it('kube-prometheus-stack comes from an OCI registry; kafka-cluster is plain manifests of the Strimzi 1.x API', () => {
    expect(loadBlueprint(files(), 'kube-prometheus-stack')!.chart!.repository).toMatch(/^oci:\/\//);
    const kafka = loadBlueprint(files(), 'kafka-cluster')!;
    expect(kafka.manifests!.map((m) => `${m.apiVersion} ${m.kind}`).sort()).toEqual([
      'kafka.strimzi.io/v1 Kafka',
      'kafka.strimzi.io/v1 KafkaNodePool',
    ]);
  });

  it('postgresql is a CloudNativePG Cluster that Airflow and MLflow reach through its read-write service', () => {
    const postgresql = loadBlueprint(files(), 'postgresql')!;
    expect(postgresql.dependsOn).toEqual(['cloudnative-pg']);
    expect(postgresql.manifests!.map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.name}`)).toEqual([
      'postgresql.cnpg.io/v1 Cluster postgresql',
      'postgresql.cnpg.io/v1 Database mlflow',
    ]);
    const airflow = loadBlueprint(files(), 'airflow')!.values as { data: { metadataSecretName: string } };
    expect(airflow.data.metadataSecretName).toBe('postgresql-app');
    const mlflow = loadBlueprint(files(), 'mlflow')!.values as { backendStore: { postgres: { host: string } } };
    expect(mlflow.backendStore.postgres.host).toBe('postgresql-rw.orchestration.svc');
  });

  const broken: [string, string, string][] = [
    [
      'a missing chart version',
      'name: bad\ndescription: d\nlayer: orchestration\nchart:\n  repository: https://x.io\n  name: x\n',
      "Blueprint generators/bad.yaml is invalid: /chart must have required property 'version'",
    ],
    [
      'a release date that is not YYYY-MM-DD',
      'name: bad\ndescription: d\nlayer: orchestration\nchart:\n  repository: https://x.io\n  name: x\n  version: 1.0.0\n  released: 21.08.2026\n',
      'Blueprint generators/bad.yaml is invalid: /chart/released must match pattern',
    ],
    [
      'a version range',
      'name: bad\ndescription: d\nlayer: orchestration\nchart:\n  repository: https://x.io\n  name: x\n  version: 1.x\n',
      'Blueprint generators/bad.yaml is invalid: /chart/version must match pattern',
    ],
    [
      'a misspelt field',
      'name: bad\ndescription: d\nlayer: orchestration\ndepends: [x]\nchart:\n  repository: https://x.io\n  name: x\n  version: 1.0.0\n',
      'Blueprint generators/bad.yaml is invalid: / must NOT have additional properties',
    ],
    [
      'a name that is not the file name',
      'name: other\ndescription: d\nlayer: orchestration\nchart:\n  repository: https://x.io\n  name: x\n  version: 1.0.0\n',
      "name 'other' must equal the file name 'bad'",
    ],
    [
      'an image tag latest',
      'name: bad\ndescription: d\nlayer: orchestration\nchart:\n  repository: https://x.io\n  name: x\n  version: 1.0.0\nvalues:\n  image:\n    tag: latest\n',
      "an image tag 'latest' at values.image.tag",
    ],
    [
      'a plaintext Secret',
      'name: bad\ndescription: d\nlayer: data-plane\nmanifests:\n  - apiVersion: v1\n    kind: Secret\n    metadata:\n      name: s\n',
      'Blueprint generators/bad.yaml is invalid: /manifests/0/kind must NOT be valid',
    ],
    ['broken YAML', 'name: bad\n  description: [\n', 'Blueprint generators/bad.yaml:'],
  ];
  it.each(broken)('reports %s with the file name', (_what, text, message) => {
    expect(() => loadBlueprint(files({ 'generators/bad.yaml': text }), 'bad')).toThrow(message);
  });
});
