/**
 * End to end: the production gate with real git history and the real nx binary. Production
 * applies only its release tag: a release points it at a tag, a rollback at an older one, each one
 * command; validate refuses an entry that bypasses the gate; nx sync migrates a tree written with
 * the suspended Kustomizations of before.
 */
import { parse, parseAllDocuments } from 'yaml';
import { createTempWorkspace, describeWithKubectl, TempWorkspace } from './support/workspace';

const RELEASE = 'gitops/clusters/production/release.yaml';
const PRODUCTION_ENV = 'gitops/clusters/production/environment.yaml';
const AIRFLOW_VALUES = 'gitops/components/orchestration/airflow/overlays/production/values.yaml';
const AIRFLOW_ENTRY = 'gitops/clusters/production/flux/airflow.yaml';

interface Finding {
  file: string;
  line: number;
  rule: string;
  severity: string;
  message: string;
}

function validate(ws: TempWorkspace): Finding[] {
  const r = ws.run(process.execPath, ['packages/gitops/dist/cli/main.js', 'validate', '.', '--format', 'json'], { allowFailure: true });
  return JSON.parse(r.stdout).findings;
}

const errors = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');

function commit(ws: TempWorkspace, message: string): void {
  ws.run('git', ['add', '-A']);
  ws.run('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', message]);
}

function release(ws: TempWorkspace, tag: string, env = 'production') {
  return ws.nx(['g', '@mlops/gitops:release', `--environment=${env}`, `--tag=${tag}`, '--no-interactive'], { allowFailure: true });
}

const releasedTag = (ws: TempWorkspace) => parse(ws.read(RELEASE)).spec.ref;
const replicasAt = (ws: TempWorkspace, rev: string) => parse(ws.run('git', ['show', `${rev}:${AIRFLOW_VALUES}`]).stdout).scheduler.replicas;

describeWithKubectl('release gate e2e')('production applies only its release tag', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = createTempWorkspace({ git: true, prefix: 'gitops-gate-' });
  }, 120_000);
  afterAll(() => ws?.remove());

  it('before the first release nothing is released: validate warns, and no release source exists', () => {
    expect(ws.exists(RELEASE)).toBe(false);
    const findings = validate(ws);
    expect(errors(findings)).toEqual([]);
    expect(findings.filter((f) => f.rule === 'gate-unreleased').map((f) => f.file)).toEqual([PRODUCTION_ENV]);
  }, 120_000);

  it('release v1.0.0, release v1.1.0, roll back to v1.0.0: each one command, each a reviewed commit', () => {
    ws.run('git', ['tag', 'v1.0.0']);
    expect(release(ws, 'v1.0.0').stdout).toContain('production: released v1.0.0');
    expect(releasedTag(ws)).toEqual({ tag: 'v1.0.0' });
    expect(parse(ws.read(PRODUCTION_ENV)).release).toBe('v1.0.0');
    // Every production entry reconciles from the release source; none is suspended, so a new cluster comes up released.
    const entry = parse(ws.read(AIRFLOW_ENTRY));
    expect(entry.spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'gitops-release' });
    expect(entry.spec.suspend).toBeUndefined();
    expect(parse(ws.read('gitops/clusters/production/kustomization.yaml')).resources).toContain('release.yaml');
    expect(errors(validate(ws))).toEqual([]);
    commit(ws, 'release(production): v1.0.0');

    // A reviewed change, tagged v1.1.0, then one more commit nobody released.
    ws.write(AIRFLOW_VALUES, ws.read(AIRFLOW_VALUES).replace('replicas: 2', 'replicas: 3'));
    commit(ws, 'airflow: 3 schedulers in production');
    ws.run('git', ['tag', 'v1.1.0']);
    ws.write(AIRFLOW_VALUES, ws.read(AIRFLOW_VALUES).replace('replicas: 3', 'replicas: 5'));
    commit(ws, 'airflow: 5 schedulers (not released)');

    expect(release(ws, 'v1.1.0').stdout).toContain('production: moved v1.0.0 -> v1.1.0');
    expect(releasedTag(ws)).toEqual({ tag: 'v1.1.0' });
    commit(ws, 'release(production): v1.1.0');
    // What production applies is the tagged commit: 3 schedulers, not the branch's 5.
    expect(replicasAt(ws, releasedTag(ws).tag)).toBe(3);
    expect(replicasAt(ws, 'HEAD')).toBe(5);

    expect(release(ws, 'v1.0.0').stdout).toContain('production: moved v1.1.0 -> v1.0.0');
    expect(releasedTag(ws)).toEqual({ tag: 'v1.0.0' });
    expect(replicasAt(ws, releasedTag(ws).tag)).toBe(2);
    expect(errors(validate(ws))).toEqual([]);
    commit(ws, 'rollback(production): v1.0.0');
    expect(ws.run('git', ['log', '--format=%s', '-3']).stdout.trim().split('\n')).toEqual([
      'rollback(production): v1.0.0',
      'release(production): v1.1.0',
      'airflow: 5 schedulers (not released)',
    ]);
  }, 300_000);

  it('a tag that does not exist, or an environment that syncs automatically, is refused and nothing is written', () => {
    const missing = release(ws, 'v9.9.9');
    expect(missing.status).not.toBe(0);
    expect(missing.stdout + missing.stderr).toContain("Tag 'v9.9.9' does not exist in the Git repository");
    const auto = release(ws, 'v1.0.0', 'staging');
    expect(auto.status).not.toBe(0);
    expect(auto.stdout + auto.stderr).toContain(
      "Environment 'staging' syncs automatically (sync: auto); a release tag gates only environments with sync: manual.",
    );
    expect(ws.run('git', ['status', '--porcelain']).stdout).toBe('');
  }, 120_000);

  it('seed 001 with Argo CD: the Applications take Git at the release tag and wait for a manual sync', () => {
    ws.write(PRODUCTION_ENV, ws.read(PRODUCTION_ENV).replace('engines:\n  - flux', 'engines:\n  - flux\n  - argocd'));
    ws.nx(['sync']);
    const app = parse(ws.read('gitops/clusters/production/argocd/apps/airflow.yaml'));
    expect(app.spec.sources[1]).toEqual({ repoURL: 'https://github.com/example/mlops-gitops.git', targetRevision: 'v1.0.0', ref: 'values' });
    expect(app.spec.syncPolicy.automated).toBeUndefined();
    expect(ws.read('gitops/clusters/production/argocd/apps/airflow.yaml')).toContain("then 'argocd app sync airflow'");
    expect(errors(validate(ws))).toEqual([]);
    // A hand edit back to the branch is an ungated entry.
    ws.write(
      'gitops/clusters/production/argocd/apps/airflow.yaml',
      ws.read('gitops/clusters/production/argocd/apps/airflow.yaml').replace('targetRevision: v1.0.0', 'targetRevision: main'),
    );
    expect(
      errors(validate(ws))
        .filter((f) => f.rule === 'gate-open')
        .map((f) => f.file),
    ).toEqual(['gitops/clusters/production/argocd/apps/airflow.yaml']);
    ws.run('git', ['checkout', '-q', '--', '.']);
    ws.run('git', ['clean', '-fdq']);
  }, 300_000);

  it('validate refuses a production entry written by hand that follows the branch, at its sourceRef', () => {
    const path = 'gitops/clusters/production/flux/extra.yaml';
    ws.write(
      path,
      [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata:',
        '  name: extra',
        '  namespace: flux-system',
        'spec:',
        '  interval: 10m',
        // A folder outside gitops/components: the tool would take a file deploying a component for one of its own.
        '  path: ./gitops/clusters/production/secrets',
        '  prune: false',
        '  sourceRef:',
        '    kind: GitRepository',
        '    name: flux-system',
        '',
      ].join('\n'),
    );
    ws.nx(['sync']);
    const open = errors(validate(ws)).filter((f) => f.rule === 'gate-open');
    expect(open.map((f) => `${f.file}:${f.line}`)).toEqual([`${path}:10`]);
    expect(open[0].message).toContain("Flux Kustomization 'extra' reconciles from 'flux-system', not from the release source gitops-release");
    ws.run('git', ['checkout', '-q', '--', '.']);
    ws.run('git', ['clean', '-fdq']);
  }, 120_000);

  it('nx sync migrates a tree gated the old way (suspended Kustomizations on the branch)', () => {
    const old = ws.read(AIRFLOW_ENTRY).replace('name: gitops-release', 'name: flux-system') + '  suspend: true\n';
    ws.write(AIRFLOW_ENTRY, old);
    expect(errors(validate(ws)).map((f) => f.rule)).toEqual(expect.arrayContaining(['derived-drift', 'gate-open']));
    ws.nx(['sync']);
    const migrated = parseAllDocuments(ws.read(AIRFLOW_ENTRY))[0].toJS();
    expect(migrated.spec.sourceRef.name).toBe('gitops-release');
    expect(migrated.spec.suspend).toBeUndefined();
    expect(errors(validate(ws))).toEqual([]);
    ws.run('git', ['checkout', '-q', '--', '.']);
  }, 120_000);
});
