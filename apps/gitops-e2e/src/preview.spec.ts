/**
 * `nx affected -t preview` with the real nx binary on a copy of this workspace: a change to one
 * component previews that component (and the environments deploying it say their own objects did not change), with
 * the base from NX_BASE as nrwl/nx-set-shas sets it.
 */
import { createTempWorkspace, describeWithKubectl, TempWorkspace } from './support/workspace';

const describeIfKubectl = describeWithKubectl('preview.spec');
const VALUES = 'gitops/components/orchestration/airflow/overlays/production/values.yaml';

describeIfKubectl('nx affected -t preview', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = createTempWorkspace({ git: true, prefix: 'gitops-preview-' });
    ws.write(VALUES, ws.read(VALUES).replace('scheduler:\n  replicas: 2', 'scheduler:\n  replicas: 3'));
    ws.run('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qam', 'more schedulers in production']);
  }, 120_000);
  afterAll(() => ws?.remove());

  it('previews the changed component, base from NX_BASE', () => {
    const out = ws.nx(['affected', '-t', 'preview', '--output-style=static'], { env: { NX_BASE: 'HEAD~1', NX_HEAD: 'HEAD' } }).stdout;
    const ran = [...out.matchAll(/^> nx run (\S+):preview/gm)].map((m) => m[1]).sort();
    // The environments deploying airflow are affected too; their own objects did not change.
    expect(ran).toEqual(['airflow', 'env-development', 'env-production', 'env-staging']);
    expect(out).toContain('GitOps preview of airflow: HEAD~1 → HEAD\n\nproduction: airflow values scheduler.replicas 2 → 3\n');
    expect(out.match(/No changes to the environment's own objects/g)).toHaveLength(3);
  });
});
