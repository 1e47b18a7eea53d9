/**
 * End to end: the day-2 generators (remove, rename, release, promote) and drift, with the real
 * nx binary on a copy of this workspace (a git repository, reset between cases). Each case checks
 * what a platform engineer would look at: what is left in gitops/, whether `validate` and
 * `nx sync:check` pass, and what the engines keep running.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { createTempWorkspace, describeWithKubectl, TempWorkspace } from './support/workspace';

const G = ['g'];
const STAGING_AIRFLOW_VERSION = 'gitops/components/orchestration/airflow/overlays/staging/version.yaml';
const PRODUCTION_AIRFLOW_VERSION = 'gitops/components/orchestration/airflow/overlays/production/version.yaml';

/** Every file under gitops/ whose path or content mentions `name` (as a word). */
function mentions(ws: TempWorkspace, name: string): string[] {
  const found: string[] = [];
  const word = new RegExp(`(^|[^a-z0-9-])${name}([^a-z0-9-]|$)`);
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ws.root, dir))) {
      const path = `${dir}/${entry}`;
      if (statSync(join(ws.root, path)).isDirectory()) walk(path);
      else if (word.test(path) || word.test(ws.read(path))) found.push(path);
    }
  };
  walk('gitops');
  return found;
}

function changedFiles(ws: TempWorkspace): string[] {
  return ws.run('git', ['status', '--porcelain']).stdout.split('\n').filter(Boolean);
}

function validateAll(ws: TempWorkspace) {
  return ws.nx(['run-many', '-t', 'validate', '--skip-nx-cache'], { allowFailure: true });
}

function chartVersion(ws: TempWorkspace, path: string): string {
  return parse(ws.read(path)).spec.chart.spec.version;
}

describeWithKubectl('lifecycle e2e')('day-2 generators on the live tree', () => {
  let ws: TempWorkspace;
  let initial: string;
  beforeAll(() => {
    ws = createTempWorkspace({ git: true, prefix: 'gitops-lifecycle-' });
    initial = ws.run('git', ['rev-parse', 'HEAD']).stdout.trim();
  }, 120_000);
  afterAll(() => ws?.remove());
  // Every case starts from the committed live tree, whatever the one before committed or left.
  afterEach(() => {
    ws.run('git', ['reset', '-q', '--hard', initial]);
    ws.run('git', ['clean', '-fdq']);
  });

  it('remove airflow: no file under gitops/ deploys or mentions it, and validate and sync:check pass', () => {
    const r = ws.nx([...G, '@mlops/gitops:remove', 'airflow', '--no-interactive']);
    expect(ws.exists('gitops/components/orchestration/airflow')).toBe(false);
    // Only another component's own sources may still name it (postgresql's database for airflow).
    expect(mentions(ws, 'airflow').filter((f) => !f.startsWith('gitops/components/orchestration/postgresql/'))).toEqual([]);
    expect(r.stdout).toContain("helm-controller uninstalls the Helm release 'airflow'");
    expect(r.stdout).toContain('To uninstall, a person runs: kubectl -n orchestration delete helmrelease airflow');
    expect(validateAll(ws).status).toBe(0);
    expect(ws.nx(['sync:check'], { allowFailure: true }).status).toBe(0);
  }, 300_000);

  it('remove postgresql is refused, naming its dependents, and writes nothing', () => {
    const r = ws.nx([...G, '@mlops/gitops:remove', 'postgresql', '--no-interactive'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(
      "Component 'postgresql' cannot be removed: airflow (development, production, staging), mlflow (development, production, staging) depend on it.",
    );
    expect(changedFiles(ws)).toEqual([]);
  }, 120_000);

  it('rename kafka-cluster to kafka and mlflow to mlflow-tracking: the tree validates and the Helm release is still mlflow', () => {
    const objectNames = (path: string) => parseAllDocuments(ws.read(path)).map((d) => `${d.toJS().kind}/${d.toJS().metadata.name}`);
    const kafkaObjects = objectNames('gitops/components/data-plane/kafka-cluster/base/manifests.yaml');
    ws.nx([...G, '@mlops/gitops:rename', 'kafka-cluster', '--to', 'kafka', '--no-interactive']);
    const r = ws.nx([...G, '@mlops/gitops:rename', 'mlflow', '--to', 'mlflow-tracking', '--no-interactive']);
    expect(r.stdout).toContain('kubectl -n argocd patch application mlflow');
    // Outside its own folder nothing names kafka-cluster any more; inside, the objects keep their in-cluster names.
    expect(mentions(ws, 'kafka-cluster').filter((f) => !f.startsWith('gitops/components/data-plane/kafka/'))).toEqual([]);
    expect(objectNames('gitops/components/data-plane/kafka/base/manifests.yaml')).toEqual(kafkaObjects);
    const base = 'gitops/components/ml-lifecycle/mlflow-tracking';
    expect(parse(ws.read(`${base}/component.yaml`))).toMatchObject({ name: 'mlflow-tracking', releaseName: 'mlflow' });
    expect(parse(ws.read(`${base}/base/helmrelease.yaml`)).spec.releaseName).toBe('mlflow');
    const app = parse(ws.read('gitops/clusters/staging/argocd/apps/mlflow-tracking.yaml'));
    expect(app.metadata.name).toBe('mlflow-tracking');
    expect(app.spec.sources[0].helm.releaseName).toBe('mlflow');
    const flux = parse(ws.read('gitops/clusters/production/flux/mlflow-tracking.yaml'));
    expect(flux.spec.path).toBe(`./${base}/overlays/production`);
    expect(ws.exists('gitops/clusters/production/flux/mlflow.yaml')).toBe(false);
    expect(parse(ws.read(`${base}/base/kustomization.yaml`)).commonAnnotations).toEqual({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
    const projects = ws.nx(['show', 'projects']).stdout.split('\n');
    expect(projects).toEqual(expect.arrayContaining(['kafka', 'mlflow-tracking']));
    expect(projects).not.toContain('mlflow');
    expect(validateAll(ws).status).toBe(0);
    expect(ws.nx(['sync:check'], { allowFailure: true }).status).toBe(0);
  }, 400_000);

  it('release airflow to staging, then promote it to production: 1.19.0 in production only, and a second run writes nothing', () => {
    const before = chartVersion(ws, PRODUCTION_AIRFLOW_VERSION);
    ws.nx([...G, '@mlops/gitops:release', 'airflow', '--environment=staging', '--chartVersion=1.19.0', '--no-interactive']);
    ws.run('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qam', 'release airflow 1.19.0 to staging']);
    const r = ws.nx([...G, '@mlops/gitops:promote', 'airflow', '--to', 'production', '--summary-file', 'promotion.md', '--no-interactive']);
    expect(r.stdout).toMatch(new RegExp(`airflow +production +chart +${before.replace(/\./g, '\\.')} → 1\\.19\\.0`));
    expect(chartVersion(ws, PRODUCTION_AIRFLOW_VERSION)).toBe('1.19.0');
    expect(changedFiles(ws)).toEqual([` M ${PRODUCTION_AIRFLOW_VERSION}`, '?? promotion.md']);
    expect(ws.read('promotion.md')).toMatch(
      new RegExp(`\\| airflow +\\| production +\\| chart +\\| ${before.replace(/\./g, '\\.')} → 1\\.19\\.0 \\|`),
    );
    ws.run('git', ['add', '-A']);
    ws.run('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'promote airflow']);
    const again = ws.nx([...G, '@mlops/gitops:promote', 'airflow', '--to', 'production', '--no-interactive']);
    expect(again.stdout).toContain('Everything is up to date in production; nothing is written.');
    expect(changedFiles(ws)).toEqual([]);
  }, 300_000);

  it('a promote that would downgrade is refused and writes nothing', () => {
    ws.nx([...G, '@mlops/gitops:release', 'airflow', '--environment=production', '--chartVersion=1.99.0', '--no-interactive']);
    ws.run('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qam', 'production ahead']);
    const r = ws.nx([...G, '@mlops/gitops:promote', 'airflow', '--to', 'production', '--no-interactive'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Promoting 'airflow' would downgrade production from 1\.99\.0 to .*; give --allow-downgrade/);
    expect(changedFiles(ws)).toEqual([]);
  }, 300_000);

  it('a hand-edited version.yaml fails validate (nx and the CLI) naming the derived file and field; nx sync fixes it', () => {
    ws.write(STAGING_AIRFLOW_VERSION, ws.read(STAGING_AIRFLOW_VERSION).replace(/version: .*/, 'version: 1.19.0'));
    const nx = validateAll(ws);
    expect(nx.status).not.toBe(0);
    // The environment's own validate says it (no task sync generator stops the run first).
    expect(nx.stdout).toMatch(/gitops\/clusters\/staging\/argocd\/apps\/airflow\.yaml:\d+ +error +derived-drift/);
    const cli = ws.run(process.execPath, ['packages/gitops/dist/cli/main.js', 'validate', '.'], { allowFailure: true });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(
      /gitops\/clusters\/staging\/argocd\/apps\/airflow\.yaml:\d+ +error +derived-drift +spec\.sources\.0\.targetRevision is .*, expected 1\.19\.0 \(from gitops\/components\/orchestration\/airflow\/overlays\/staging\/version\.yaml\)/,
    );
    expect(cli.stdout).toContain('npx nx sync');
    ws.nx(['sync']);
    expect(parse(ws.read('gitops/clusters/staging/argocd/apps/airflow.yaml')).spec.sources[0].targetRevision).toBe('1.19.0');
    expect(validateAll(ws).status).toBe(0);
  }, 400_000);

  it('a hand-edited dependsOn fails validate naming the Flux Kustomizations and the field; nx sync fixes it', () => {
    const airflow = 'gitops/components/orchestration/airflow/component.yaml';
    ws.write(airflow, ws.read(airflow).replace('  - postgresql\n', '  - postgresql\n  - sealed-secrets\n'));
    const cli = ws.run(process.execPath, ['packages/gitops/dist/cli/main.js', 'validate', '.', '--format', 'json'], { allowFailure: true });
    expect(cli.status).toBe(1);
    const drift = JSON.parse(cli.stdout).findings.filter((f: { rule: string }) => f.rule === 'derived-drift');
    expect(drift.map((f: { file: string }) => f.file).sort()).toEqual(
      ['development', 'production', 'staging'].map((env) => `gitops/clusters/${env}/flux/airflow.yaml`),
    );
    expect(drift[0].message).toMatch(/^spec\.dependsOn is .*, expected .*sealed-secrets/);
    expect(validateAll(ws).status).not.toBe(0);
    ws.nx(['sync']);
    for (const env of ['development', 'staging', 'production']) {
      const docs = parseAllDocuments(ws.read(`gitops/clusters/${env}/flux/airflow.yaml`)).map((d) => d.toJS());
      expect(docs[0].spec.dependsOn).toEqual([{ name: 'platform-secrets' }, { name: 'postgresql' }, { name: 'sealed-secrets' }]);
    }
    expect(validateAll(ws).status).toBe(0);
  }, 400_000);
});
