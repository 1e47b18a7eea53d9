import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { componentGenerator } from '../generators/component/component';
import { promoteGenerator } from '../generators/promote/promote';
import { releaseGenerator } from '../generators/release/release';
import { removeGenerator } from '../generators/remove/remove';
import { renameGenerator } from '../generators/rename/rename';
import { preview } from './preview';
import { COMMENT_MARKER, Format, formatPreview, GITHUB_COMMENT_LIMIT } from './report';
import { gitWorkspace, GitWorkspace, hasKubectl } from './testing';

const AIRFLOW = 'gitops/components/orchestration/airflow';
const GOLDEN = join(__dirname, 'golden', 'realistic-change.md');
/** Looks like nothing real; the tests assert it never reaches the output, nor its base64. */
const SECRET_VALUE = 'not-a-real-password-4711';
const NEW_SECRET_VALUE = 'not-a-real-password-4712';

const describeWithKubectl = hasKubectl() ? describe : describe.skip;
if (!hasKubectl()) console.warn('preview: skipped, kubectl (with its embedded kustomize v5) is not on the PATH; CI requires it.');

function edit(tree: Tree, path: string, change: (text: string) => string): void {
  tree.write(path, change(tree.read(path, 'utf8')!));
}

describeWithKubectl('preview on real git history of a copy of this workspace', () => {
  jest.setTimeout(60_000);
  let ws: GitWorkspace;
  beforeEach(() => (ws = gitWorkspace()));
  afterEach(() => ws.remove());

  const run = async (format: Format = 'text', base = 'HEAD~1', head = 'HEAD') => formatPreview(await preview({ cwd: ws.root, base, head }), format);
  const summary = (report: string) => report.split('\n\n')[1].split('\n');

  it('says "no changes" when nothing deploys differently (a comment edit included)', async () => {
    expect(await run('text', 'HEAD', 'HEAD')).toBe(
      'GitOps preview: HEAD → HEAD\n\nNo changes: HEAD deploys the same as HEAD in every environment.\n',
    );
    await ws.commit('comment only', (t) => edit(t, `${AIRFLOW}/overlays/staging/values.yaml`, (s) => `# reviewed\n${s}`));
    expect(await run()).toContain('No changes: HEAD deploys the same as HEAD~1 in every environment.');
    expect(await run('markdown')).toContain(`${COMMENT_MARKER}\n\n## GitOps preview: HEAD~1 → HEAD\n\nNo changes`);
  });

  it('refuses a ref that is not a commit, naming it', async () => {
    await expect(preview({ cwd: ws.root, base: 'no-such-branch', head: 'HEAD' })).rejects.toThrow("Git ref 'no-such-branch' is not a commit");
  });

  it('a version bump (the release generator) shows the chart version in that environment only', async () => {
    await ws.commit('release airflow 1.23.0 to staging', (t) =>
      releaseGenerator(t, { component: 'airflow', environment: 'staging', chartVersion: '1.23.0' }),
    );
    const report = await run();
    expect(summary(report)).toEqual(['staging: airflow chart 1.22.0 → 1.23.0']);
    // Flux's HelmRelease and Argo CD's Application (staging runs both) move together.
    expect(report).toContain('~ HelmRelease airflow\n  -   spec.chart.spec.version: 1.22.0\n  +   spec.chart.spec.version: 1.23.0');
    expect(report).toContain(
      '~ Application argocd/airflow\n  -   spec.sources[0].targetRevision: 1.22.0\n  +   spec.sources[0].targetRevision: 1.23.0',
    );
  });

  it('a values change shows the effective values, merged as Flux merges them, and the manual gate of production', async () => {
    await ws.commit('more schedulers', (t) =>
      edit(t, `${AIRFLOW}/overlays/production/values.yaml`, (s) => s.replace('scheduler:\n  replicas: 2', 'scheduler:\n  replicas: 3')),
    );
    const report = await run();
    expect(summary(report)).toEqual([
      'production: airflow values scheduler.replicas 2 → 3',
      '    manual sync needed: nx g @mlops/gitops:release --environment=production --tag=<tag>   # production applies only its release tag',
    ]);
    expect(report).toContain('- flux merges ConfigMap airflow-values key base.yaml, ConfigMap airflow-values key environment.yaml');
  });

  it('a new component (the component generator) is added in every environment', async () => {
    await ws.commit('add redis-operator', (t) => componentGenerator(t, { name: 'redis-operator' }));
    const lines = summary(await run()).filter((l) => !l.startsWith(' '));
    expect(lines).toEqual([
      expect.stringMatching(/^development: redis-operator added \(chart redis-operator \S+\)$/),
      expect.stringMatching(/^staging: redis-operator added \(chart redis-operator \S+\)$/),
      // Its chart repository joins the layer's AppProject (least privilege) where Argo CD deploys.
      'staging: environment objects: AppProject argocd/platform-operators changed',
      expect.stringMatching(/^production: redis-operator added \(chart redis-operator \S+\)$/),
    ]);
  });

  it('a removal (the remove generator) says what each engine does: prune where it syncs automatically, a command where not', async () => {
    await ws.commit('remove mlflow', (t) => removeGenerator(t, { component: 'mlflow' }));
    const report = await run();
    expect(summary(report)).toEqual([
      'development: mlflow removed',
      expect.stringMatching(/^ {4}Flux \(development\): the parent Kustomization prunes the Kustomization 'mlflow'/),
      // The last component of its layer: the layer's namespace goes too.
      'development: environment objects: ExternalSecret ml-lifecycle/mlflow-postgres removed, ExternalSecret ml-lifecycle/mlflow-s3 removed, Namespace ml-lifecycle removed',
      'staging: mlflow removed',
      expect.stringMatching(/^ {4}Flux \(staging\): the parent Kustomization prunes/),
      expect.stringMatching(/^ {4}Argo CD \(staging\): the root app-of-apps prunes the Application 'mlflow'/),
      'staging: environment objects: AppProject argocd/ml-lifecycle removed, AppProject argocd/platform-secrets changed, ExternalSecret ml-lifecycle/mlflow-postgres removed, ExternalSecret ml-lifecycle/mlflow-s3 removed, Namespace ml-lifecycle removed',
      'production: mlflow removed',
      expect.stringMatching(
        /^ {4}Flux \(production\): .* so what it applied stays\. To uninstall, a person runs: kubectl -n ml-lifecycle delete helmrelease mlflow$/,
      ),
      'production: environment objects: ExternalSecret ml-lifecycle/mlflow-postgres removed, ExternalSecret ml-lifecycle/mlflow-s3 removed, Namespace ml-lifecycle removed',
    ]);
    expect(report).toContain('- HelmRelease mlflow (removed)');
  });

  it('a rename (the rename generator) is one renamed line per environment, never an uninstall', async () => {
    await ws.commit('rename airflow', (t) => renameGenerator(t, { component: 'airflow', to: 'workflows' }));
    const report = await run();
    const lines = summary(report).filter((l) => !l.startsWith(' '));
    // The engines' entries get the new name; the base's objects only the annotation that keeps them.
    expect(lines).toEqual([
      'development: airflow renamed to workflows; objects 2 changed, 1 added, 1 removed',
      'staging: airflow renamed to workflows; objects 2 changed, 2 added, 2 removed',
      'production: airflow renamed to workflows; objects 2 changed, 1 added, 1 removed',
    ]);
    expect(report).toContain('~ HelmRelease airflow\n  +   metadata.annotations["kustomize.toolkit.fluxcd.io/prune"]: disabled');
    expect(report).not.toContain('airflow removed');
    expect(report).toContain("Flux (staging): the Kustomization 'airflow' is replaced by 'workflows'");
    expect(report).toContain('no uninstall');
    expect(report).toContain("Argo CD (staging): the Application 'airflow' is replaced by 'workflows', which keeps the Helm release name 'airflow'");
  });

  it('a promotion (the promote generator) shows the version production gets, where it comes from, and the gate', async () => {
    await ws.commit('release to staging', (t) => releaseGenerator(t, { component: 'airflow', environment: 'staging', chartVersion: '1.23.0' }));
    await ws.commit('promote', (t) => promoteGenerator(t, { components: 'airflow', to: 'production' }));
    expect(summary(await run())).toEqual([
      'production: airflow chart 1.18.0 → 1.23.0 (promoted from staging)',
      '    manual sync needed: nx g @mlops/gitops:release --environment=production --tag=<tag>   # production applies only its release tag',
    ]);
  });

  it("never shows a Secret's value: only its keys, and that it changed", async () => {
    const secret = (value: string, extra = '') =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: airflow-extra\ntype: Opaque\nstringData:\n  password: ${value}\n${extra}`;
    await ws.commit('add a secret', (t) => {
      t.write(`${AIRFLOW}/base/secret.yaml`, secret(SECRET_VALUE));
      edit(t, `${AIRFLOW}/base/kustomization.yaml`, (s) => s.replace('  - helmrelease.yaml\n', '  - helmrelease.yaml\n  - secret.yaml\n'));
    });
    await ws.commit('rotate it, add a key', (t) => t.write(`${AIRFLOW}/base/secret.yaml`, secret(NEW_SECRET_VALUE, `  token: ${SECRET_VALUE}\n`)));
    for (const [base, head] of [
      ['HEAD~2', 'HEAD~1'],
      ['HEAD~1', 'HEAD'],
      ['HEAD', 'HEAD~2'],
    ]) {
      for (const format of ['text', 'markdown', 'json'] as const) {
        const report = await run(format, base, head);
        expect(report).toContain('airflow-extra');
        for (const value of [SECRET_VALUE, NEW_SECRET_VALUE]) {
          expect(report).not.toContain(value);
          expect(report).not.toContain(Buffer.from(value).toString('base64'));
        }
      }
    }
    const rotated = await run();
    expect(rotated).toContain(
      '~ Secret airflow-extra\n  -   stringData.password: (changed)\n  +   stringData.password: (changed)\n  +   stringData.token: (set)',
    );
    expect(await run('text', 'HEAD~2', 'HEAD~1')).toContain('+ Secret airflow-extra (added)\n  +   stringData.password: (set)');
  });

  it('keeps a Markdown comment under GitHub’s limit, cutting large sections with a note', async () => {
    const many = Array.from({ length: 4000 }, (_, i) => `  key${i}: value-${i}`).join('\n');
    await ws.commit('a huge values change', (t) => {
      for (const env of ['development', 'staging', 'production']) edit(t, `${AIRFLOW}/overlays/${env}/values.yaml`, (s) => `${s}extra:\n${many}\n`);
    });
    const report = await run('markdown');
    expect(report.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(report.match(/more lines cut to keep this comment under GitHub's 65,536 characters/g)).toHaveLength(3);
    expect(report.match(/<details>/g)).toHaveLength(3);
    expect(report.match(/<\/details>/g)).toHaveLength(3);
    expect(report).toContain(
      '### development (flux; auto sync)\n\n- airflow values extra.key0 (unset) → value-0, extra.key1 (unset) → value-1, extra.key2 (unset) → value-2 (+3997 more)',
    );
  });

  it('a realistic change, as the pull-request comment (golden file; UPDATE_GOLDEN=1 rewrites it)', async () => {
    await ws.commit('release airflow 1.23.0 to staging', (t) =>
      releaseGenerator(t, { component: 'airflow', environment: 'staging', chartVersion: '1.23.0' }),
    );
    await ws.commit('production: more schedulers, remove mlflow from development, add redis-operator', async (t) => {
      edit(t, `${AIRFLOW}/overlays/production/values.yaml`, (s) => s.replace('scheduler:\n  replicas: 2', 'scheduler:\n  replicas: 3'));
      await removeGenerator(t, { component: 'mlflow', environments: 'development' });
      await componentGenerator(t, { name: 'redis-operator', environments: 'staging' });
    });
    const report = formatPreview(await preview({ cwd: ws.root, base: 'main~2', head: 'main' }), 'markdown');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, report);
    expect(report).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
