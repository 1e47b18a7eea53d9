import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildRequest, layoutTargets } from './main';

describe('mlops-gitops in the gitops layout', () => {
  let root: string;
  const write = (path: string, text = '') => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cli-targets-'));
    write('gitops/platform.yaml', 'repository: { url: https://example.com/repo.git }\n');
    write('gitops/components/orchestration/airflow/component.yaml');
    write('gitops/clusters/production/environment.yaml');
    write('gitops/crds/kafka.yaml');
    write('gitops/extra/secret.yaml');
    write('gitops/shared-sources/kustomization.yaml');
    write('gitops/components/orchestration/old-airflow/base/kustomization.yaml');
    write('gitops/components/orchestration/old-airflow/notes.yaml');
    write('gitops/components/orchestration/old-airflow/README.md');
    write('gitops/clusters/bootstrap/flux-system/gotk-sync.yaml');
    write('gitops/clusters/empty/README.md');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('validates every other folder of gitops/ too, as any-style targets (not CRD files, which are configuration)', () => {
    expect(layoutTargets(root)).toEqual([
      'gitops/components/orchestration/airflow',
      'gitops/clusters/production',
      'gitops/extra',
      'gitops/shared-sources',
      'gitops/clusters/bootstrap/flux-system',
      'gitops/components/orchestration/old-airflow',
    ]);
  });

  it('builds a gitops-layout request over those targets when gitops/platform.yaml exists', () => {
    const request = buildRequest({ command: 'validate', dir: '.', format: 'human', layout: 'auto', exclude: [] }, root);
    expect(request.layout).toBe('gitops');
    expect(request.targets).toContain('gitops/extra');
  });
});
