/**
 * Stage 4 needs the ESM-only schema packages, which Jest (CommonJS) cannot
 * load: each case runs the built stage (`npm run build` first) in its own
 * Node process over an in-memory file and returns its findings.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const DIST = join(__dirname, '../../../dist/validation');

interface SchemaFinding {
  rule: string;
  severity: string;
  line: number;
  message: string;
}

const SCRIPT = `
const { memoryReader } = require(${JSON.stringify(join(DIST, 'file-reader.js'))});
const { LoadedTree } = require(${JSON.stringify(join(DIST, 'stages/1-load.js'))});
const { writtenSubjects } = require(${JSON.stringify(join(DIST, 'stages/subject.js'))});
const { SchemaRegistry } = require(${JSON.stringify(join(DIST, 'stages/3-identify.js'))});
const { checkSchemas, schemaChecker } = require(${JSON.stringify(join(DIST, 'stages/4-schema.js'))});
const tree = new LoadedTree(memoryReader({ 'app/objects.yaml': process.argv[1] }));
const subjects = writtenSubjects(tree, 'app/objects.yaml', { scope: '' });
checkSchemas(subjects, tree, schemaChecker(new SchemaRegistry(), 'crds/')).then((o) => process.stdout.write(JSON.stringify(o.findings)));
`;

function checkSchema(yaml: string): SchemaFinding[] {
  if (!existsSync(join(DIST, 'stages/4-schema.js'))) throw new Error('packages/gitops/dist is missing: run `npm run build` first');
  const r = spawnSync(process.execPath, ['-e', SCRIPT, yaml], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as SchemaFinding[];
}

const unknownFields = (findings: SchemaFinding[]) => findings.filter((f) => f.rule === 'schema-unknown-field');

const helmRelease = (extra: string) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata: { name: podinfo, namespace: apps }',
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec: { chart: podinfo, version: 6.7.1, sourceRef: { kind: HelmRepository, name: podinfo } }',
    extra,
    '',
  ].join('\n');

describe('stage 4, unknown fields (built engine, real schema packages)', () => {
  it('refuses a field written under the wrong parent: HelmRelease spec.version (only spec.chart.spec has a version)', () => {
    expect(unknownFields(checkSchema(helmRelease('  version: 1.2.3')))).toEqual([
      expect.objectContaining({ severity: 'error', line: 8, message: "HelmRelease 'apps/podinfo' has unknown field 'spec.version'." }),
    ]);
  });

  it('refuses a misspelt field', () => {
    expect(unknownFields(checkSchema(helmRelease('  valuez: { replicas: 2 }')))).toEqual([
      expect.objectContaining({ line: 8, message: "HelmRelease 'apps/podinfo' has unknown field 'spec.valuez'." }),
    ]);
  });

  it('refuses a spec on a ConfigMap, which has none', () => {
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\nspec:\n  replicas: 3\ndata: { LOG_LEVEL: info }\n';
    expect(unknownFields(checkSchema(configMap))).toEqual([
      expect.objectContaining({ severity: 'error', line: 4, message: "ConfigMap 'settings' has unknown field 'spec'." }),
    ]);
  });

  it('accepts fields the schema leaves unconstrained but the model declares (AppProject spec.description), and free-form values', () => {
    const project =
      'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: data-plane, namespace: argocd }\nspec:\n  description: Layer data-plane\n  sourceRepos: [https://example.com/charts]\n';
    expect(checkSchema(project)).toEqual([]);
    expect(checkSchema(helmRelease('  values: { anything: { goes: [1, 2] } }'))).toEqual([]);
  });
});

describe('stage 4, what is not a mistake (built engine, real schema packages)', () => {
  it('accepts base64 wrapped over lines, as kustomize secretGenerator writes it, and refuses what is not base64', () => {
    const secret = (value: string) => `apiVersion: v1\nkind: Secret\nmetadata: { name: s }\ndata:\n  big.txt: ${value}\n`;
    expect(checkSchema(secret('|\n    eHh4eHh4eHh4\n    eHh4eHgK'))).toEqual([]);
    expect(checkSchema(secret('not base64!'))).toEqual([expect.objectContaining({ rule: 'schema-invalid', line: 5 })]);
  });

  it('does not judge the encrypted values or the sops block of a SOPS document', () => {
    const sops =
      'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\ndata:\n  token: ENC[AES256_GCM,data:abc=,iv:x=,tag:y==,type:str]\nsops:\n  age: []\n  version: 3.9.0\n';
    expect(checkSchema(sops)).toEqual([]);
  });

  it('accepts the kinds flux-operator adds to what an Alert may watch, and names the value and the allowed ones otherwise', () => {
    const alert = (kind: string) =>
      `apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata: { name: a, namespace: flux-system }\nspec:\n  providerRef: { name: slack }\n  eventSources:\n    - kind: ${kind}\n      name: flux\n`;
    expect(checkSchema(alert('FluxInstance'))).toEqual([]);
    expect(checkSchema(alert('Kustomisation'))).toEqual([
      expect.objectContaining({
        rule: 'schema-invalid',
        line: 7,
        message: expect.stringMatching(
          /^Alert 'flux-system\/a': spec\.eventSources\[0\]\.kind is "Kustomisation"; allowed values: "Bucket", "GitRepository", "Kustomization", /,
        ),
      }),
    ]);
  });
});

describe('stage 4, the Flux CRD rules the schema packages drop (CEL)', () => {
  it('refuses a duration that is not one, at its line', () => {
    expect(checkSchema(helmRelease('  timeout: fifty').replace('interval: 10m', 'interval: 1h30m'))).toEqual([
      expect.objectContaining({ rule: 'schema-rule', line: 8, message: expect.stringContaining('spec.timeout is "fifty": not a Flux duration') }),
    ]);
  });

  it('evaluates the CRD rules: a HelmRelease with both chart and chartRef, a retryInterval the strategy does not allow', () => {
    expect(checkSchema(helmRelease('  chartRef: { kind: OCIRepository, name: podinfo }')).map((f) => [f.rule, f.line])).toEqual([
      ['helmrelease-chart-xor', 8],
    ]);
    const strategy = helmRelease('  install:\n    strategy: { name: RemediateOnFailure, retryInterval: 5m }');
    expect(checkSchema(strategy)).toEqual([
      expect.objectContaining({
        rule: 'schema-rule',
        line: 9,
        message: expect.stringContaining(".retryInterval cannot be set when .name is 'RemediateOnFailure' (spec.install.strategy)"),
      }),
    ]);
  });
});
