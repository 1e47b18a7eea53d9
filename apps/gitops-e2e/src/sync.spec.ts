/**
 * End to end: `nx sync:check` and `nx sync` with the real nx binary on a copy of this workspace.
 * nx.json registers @mlops/gitops:sync as a global sync generator, so CI's `nx sync:check`
 * fails while a derived file of gitops/ differs from its sources of truth, and `nx sync` fixes it.
 */
import { parse } from 'yaml';
import { createTempWorkspace, TempWorkspace } from './support/workspace';

const AIRFLOW = 'gitops/components/orchestration/airflow/component.yaml';
const flux = (env: string) => `gitops/clusters/${env}/flux/airflow.yaml`;
const ENVIRONMENTS = ['development', 'staging', 'production'];

describe('nx sync (the @mlops/gitops:sync global generator)', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = createTempWorkspace({ prefix: 'gitops-sync-' });
  }, 120_000);
  afterAll(() => ws?.remove());

  it('sync:check passes on the committed live tree', () => {
    const r = ws.nx(['sync:check'], { allowFailure: true });
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.stringContaining('The workspace is up to date') });
  }, 120_000);

  it('sync:check fails after component.yaml dependsOn is edited by hand, naming every file that differs', () => {
    ws.write(AIRFLOW, ws.read(AIRFLOW).replace('  - postgresql\n', '  - postgresql\n  - sealed-secrets\n'));
    const before = ENVIRONMENTS.map((env) => ws.read(flux(env)));
    const r = ws.nx(['sync:check'], { allowFailure: true });
    const out = r.stdout + r.stderr;
    expect(r.status).toBe(1);
    expect(out).toContain('The workspace is out of sync');
    for (const env of ENVIRONMENTS)
      expect(out).toMatch(new RegExp(`${flux(env)}:\\d+: spec\\.dependsOn is .*, expected .*sealed-secrets.* \\(from ${AIRFLOW} dependsOn`));
    expect(ENVIRONMENTS.map((env) => ws.read(flux(env)))).toEqual(before);
  }, 120_000);

  it('nx sync rewrites the Flux Kustomizations in place, keeping their comments', () => {
    ws.nx(['sync']);
    for (const env of ENVIRONMENTS) {
      const text = ws.read(flux(env));
      expect(text).toMatch(new RegExp(`^# airflow in ${env}: deploys`));
      expect(parse(text).spec.dependsOn).toEqual([{ name: 'platform-secrets' }, { name: 'postgresql' }, { name: 'sealed-secrets' }]);
    }
  }, 120_000);

  it('sync:check passes again afterwards', () => {
    const r = ws.nx(['sync:check'], { allowFailure: true });
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.stringContaining('The workspace is up to date') });
  }, 120_000);

  it('a namespace changed in component.yaml moves every Flux Kustomization and Argo CD Application (sync:check names them, nx sync writes them)', () => {
    const postgresql = 'gitops/components/orchestration/postgresql/component.yaml';
    ws.write(postgresql, ws.read(postgresql).replace('namespace: orchestration', 'namespace: databases'));
    const check = ws.nx(['sync:check'], { allowFailure: true });
    expect(check.status).toBe(1);
    for (const env of ENVIRONMENTS) {
      expect(check.stdout + check.stderr).toMatch(
        new RegExp(`gitops/clusters/${env}/flux/postgresql\\.yaml:\\d+: spec\\.targetNamespace is orchestration, expected databases`),
      );
    }
    expect(check.stdout + check.stderr).toMatch(
      /gitops\/clusters\/staging\/argocd\/apps\/postgresql\.yaml:\d+: spec\.destination is .*, expected .*databases/,
    );
    ws.nx(['sync']);
    for (const env of ENVIRONMENTS) expect(parse(ws.read(`gitops/clusters/${env}/flux/postgresql.yaml`)).spec.targetNamespace).toBe('databases');
    expect(parse(ws.read('gitops/clusters/staging/argocd/apps/postgresql.yaml')).spec.destination.namespace).toBe('databases');
    expect(ws.nx(['sync:check'], { allowFailure: true }).status).toBe(0);
  }, 240_000);
});
