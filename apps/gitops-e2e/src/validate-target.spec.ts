/**
 * `nx run <component>:validate` on the live tree through the real nx binary,
 * batched (the default) and one task at a time: the executor must check
 * schemas (not merely render), so a typo fails the task and names the file,
 * line and rule.
 */
import { createTempWorkspace, describeWithKubectl, TempWorkspace } from './support/workspace';

const HELMRELEASE = 'gitops/components/orchestration/airflow/base/helmrelease.yaml';
const describeIfKubectl = describeWithKubectl('validate-target.spec');

describeIfKubectl('validate target on the live tree', () => {
  let ws: TempWorkspace;

  beforeAll(() => {
    ws = createTempWorkspace({ prefix: 'gitops-validate-' });
  }, 120_000);
  afterAll(() => ws?.remove());

  it('passes the committed tree and reports every object as schema-checked', () => {
    const r = ws.nx(['run', 'airflow:validate', '--skip-nx-cache', '--batch=false']);
    expect(r.stdout).toMatch(/✔ no errors/);
    expect(r.stdout).toMatch(/\((\d+) schema-checked, 0 unchecked\)/);
    expect(r.stdout).not.toMatch(/\(0 schema-checked/);
  }, 120_000);

  it.each([
    ['batched', []],
    ['one task at a time', ['--batch=false']],
  ])(
    'fails on an unknown HelmRelease field, %s',
    (_mode, flags) => {
      const original = ws.read(HELMRELEASE);
      ws.write(HELMRELEASE, original.replace('  interval: 30m\n', '  interval: 30m\n  valuez:\n    replicas: 2\n'));
      try {
        const r = ws.nx(['run-many', '-t', 'validate', '-p', 'airflow', '--skip-nx-cache', ...flags], { allowFailure: true });
        const out = r.stdout + r.stderr;
        expect(r.status).not.toBe(0);
        expect(out).toContain(`${HELMRELEASE}:`);
        expect(out).toMatch(/schema-unknown-field\s+HelmRelease 'airflow' has unknown field 'spec\.valuez'/);
      } finally {
        ws.write(HELMRELEASE, original);
      }
    },
    120_000,
  );

  it("gives a syntax error in mlflow's component.yaml to mlflow, not to airflow (whose inputs do not include it)", () => {
    const file = 'gitops/components/ml-lifecycle/mlflow/component.yaml';
    const original = ws.read(file);
    ws.write(file, original.replace('dependsOn:\n', 'dependsOn: [\n'));
    try {
      const airflow = ws.nx(['run-many', '-t', 'validate', '-p', 'airflow', '--skip-nx-cache', '--output-style=static']);
      expect(airflow.status).toBe(0);
      expect(airflow.stdout).toMatch(/✔ no errors/);

      const both = ws.nx(['run-many', '-t', 'validate', '-p', 'airflow,mlflow', '--skip-nx-cache'], { allowFailure: true });
      const out = both.stdout + both.stderr;
      expect(both.status).not.toBe(0);
      expect(out).toMatch(new RegExp(`${file}:\\d+\\s+error\\s+yaml-syntax`));
      expect(out).toMatch(/Failed tasks:\s+- mlflow:validate\s*$/m);
      expect(out).not.toMatch(/- airflow:validate/);
    } finally {
      ws.write(file, original);
    }
  }, 120_000);
});
