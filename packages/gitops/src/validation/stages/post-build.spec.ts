import { memoryReader } from '../file-reader';
import { LoadedTree } from './1-load';
import { applyPostBuild, PostBuildOptions } from './post-build';
import { Subject, writtenSubjects } from './subject';

const OPTIONS: PostBuildOptions = { own: { names: ['flux-system'], isOwnUrl: () => false }, kubectl: 'kubectl', literalSeverity: 'info' };

const ks = (postBuild: string[], extra: string[] = []) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata: { name: apps, namespace: flux-system }',
    'spec:',
    '  interval: 10m',
    '  path: ./apps',
    '  sourceRef: { kind: GitRepository, name: flux-system }',
    ...extra,
    ...postBuild,
    '',
  ].join('\n');

const CONFIGMAP = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: { name: settings }',
  'data:',
  '  cluster: ${cluster_name}',
  '  region: ${cluster_region}',
  '  zone: ${cluster_zone:=a}',
  '  tier: ${cluster_tier:-gold}',
  '  literal: $${not_a_variable}',
  '',
].join('\n');

/** Post-builds the objects of `files`: every file under apps/ as rendered from the apps folder. */
async function postBuild(files: Record<string, string>, options: Partial<PostBuildOptions> = {}) {
  const tree = new LoadedTree(memoryReader({ 'apps/kustomization.yaml': 'resources: [cm.yaml]\n', ...files }));
  const subjects: Subject[] = Object.keys(files).flatMap((f) =>
    writtenSubjects(tree, f, { scope: '' }).map((s) => (f.startsWith('apps/') ? { ...s, dir: 'apps' } : s)),
  );
  return applyPostBuild(subjects, tree, { ...OPTIONS, ...options });
}

const dataOf = (subjects: Subject[]) => subjects.find((s) => s.object.kind === 'ConfigMap')?.object.data;

describe('stage 2b, Flux post-build', () => {
  it('substitutes as Flux does: values, defaults of both forms, escapes; an unset variable is reported at its value', async () => {
    const out = await postBuild({
      'clusters/prod/apps.yaml': ks(['  postBuild:', '    substitute: { cluster_name: prod-1 }']),
      'apps/cm.yaml': CONFIGMAP,
    });
    expect(dataOf(out.subjects)).toEqual({ cluster: 'prod-1', region: '${cluster_region}', zone: 'a', tier: 'gold', literal: '${not_a_variable}' });
    expect(out.findings).toEqual([
      expect.objectContaining({
        rule: 'unset-variable',
        severity: 'error',
        file: 'apps/cm.yaml',
        line: 6,
        message:
          "${cluster_region} in ConfigMap 'settings' is not defined by Flux Kustomization 'apps' (clusters/prod/apps.yaml): Flux writes an empty string.",
      }),
    ]);
  });

  it('reads substituteFrom ConfigMaps and Secrets found in the tree', async () => {
    const from = [
      '  postBuild:',
      '    substituteFrom:',
      '      - { kind: ConfigMap, name: cluster-vars }',
      '      - { kind: Secret, name: cluster-secrets }',
    ];
    const vars = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cluster-vars, namespace: flux-system }\ndata: { cluster_name: prod-1 }\n';
    const secret =
      'apiVersion: v1\nkind: Secret\nmetadata: { name: cluster-secrets, namespace: flux-system }\ndata:\n  cluster_region: ENC[AES256_GCM,data:abc=,iv:x=,tag:y=,type:str]\nsops: { version: 3.9.0 }\n';
    const out = await postBuild({
      'clusters/prod/apps.yaml': ks(from),
      'clusters/prod/vars.yaml': vars,
      'clusters/prod/secret.yaml': secret,
      'apps/cm.yaml': CONFIGMAP,
    });
    const cm = out.subjects.find((s) => s.object.kind === 'ConfigMap' && s.file === 'apps/cm.yaml')!;
    expect(cm.object.data).toEqual(expect.objectContaining({ cluster: 'prod-1', region: '${cluster_region}' }));
    // The region comes from an encrypted Secret: known to exist, unknowable offline, so never judged.
    expect(cm.opaque).toEqual(['/data/region']);
    expect(out.findings.filter((f) => f.rule === 'unset-variable')).toEqual([]);
  });

  it('says that a ${VAR} reaches the cluster literally where no post-build applies', async () => {
    const out = await postBuild({ 'clusters/prod/apps.yaml': ks([]), 'apps/cm.yaml': CONFIGMAP });
    expect(dataOf(out.subjects)).toEqual(expect.objectContaining({ cluster: '${cluster_name}' }));
    expect(out.findings.map((f) => [f.rule, f.severity, f.line])).toEqual([
      ['unsubstituted-variable', 'info', 5],
      ['unsubstituted-variable', 'info', 6],
      ['unsubstituted-variable', 'info', 7],
      ['unsubstituted-variable', 'info', 8],
    ]);
    expect(out.findings[0].message).toBe(
      "${cluster_name} in ConfigMap 'settings' reaches the cluster literally: no Flux Kustomization with spec.postBuild deploys it.",
    );
  });

  it('leaves a Kustomization of another source alone: its path is inside an artifact', async () => {
    const oci = ks(['  postBuild:', '    substitute: { cluster_name: prod-1 }']).replace(
      'kind: GitRepository, name: flux-system',
      'kind: OCIRepository, name: flux-system',
    );
    const out = await postBuild({ 'clusters/prod/apps.yaml': oci, 'apps/cm.yaml': CONFIGMAP });
    expect(dataOf(out.subjects)).toEqual(expect.objectContaining({ cluster: '${cluster_name}' }));
    expect(out.findings.every((f) => f.rule === 'unsubstituted-variable')).toBe(true);
  });

  it('warns when SOPS-encrypted data is deployed without spec.decryption, at the Kustomization', async () => {
    const secret =
      'apiVersion: v1\nkind: Secret\nmetadata: { name: token }\ndata:\n  token: ENC[AES256_GCM,data:abc=,iv:x=,tag:y=,type:str]\nsops: { version: 3.9.0 }\n';
    const without = await postBuild({ 'clusters/prod/apps.yaml': ks([]), 'apps/cm.yaml': secret });
    expect(without.findings).toEqual([
      expect.objectContaining({
        rule: 'sops-no-decryption',
        severity: 'warning',
        file: 'clusters/prod/apps.yaml',
        line: 4,
        message: expect.stringContaining("deploys SOPS-encrypted Secret 'token' (apps/cm.yaml) but has no spec.decryption"),
      }),
    ]);
    const withDecryption = await postBuild({
      'clusters/prod/apps.yaml': ks([], ['  decryption: { provider: sops, secretRef: { name: sops-age } }']),
      'apps/cm.yaml': secret,
    });
    expect(withDecryption.findings).toEqual([]);
  });
});
