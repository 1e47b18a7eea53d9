/**
 * Affected-only and cached validation, with a real git history and the real
 * nx binary: a one-file change validates only what it touches, a re-run is
 * all cache hits, and changing the layers file or the validator affects
 * every component and environment.
 */
import { join } from 'node:path';
import { createTempWorkspace, hasKubectl, TempWorkspace, WORKSPACE_ROOT } from './support/workspace';

const { buildSyntheticTree } = require(join(WORKSPACE_ROOT, 'tools/bench/synthetic-tree.js')) as {
  buildSyntheticTree(dir: string, o: { components: number }): { plan: { name: string; layer: { name: string }; dependsOn: string[] }[] };
};

const ENVS = ['env-development', 'env-production', 'env-staging'];
const describeWithKubectl = hasKubectl() ? describe : describe.skip;
if (!hasKubectl()) console.warn('affected.spec: skipped, kubectl (with its embedded kustomize) is not on PATH');

interface TaskRun {
  project: string;
  fromCache: boolean;
}

/** `nx affected -t validate` and the tasks it ran, as printed with --output-style=static. */
function affectedValidate(ws: TempWorkspace): TaskRun[] {
  const out = ws.nx(['affected', '-t', 'validate', '--base=HEAD~1', '--head=HEAD', '--output-style=static']).stdout;
  return [...out.matchAll(/^> nx run (\S+):validate(.*)$/gm)]
    .map((m) => ({ project: m[1], fromCache: /\[(local cache|remote cache|existing outputs match the cache, left as is)\]/.test(m[2]) }))
    .sort((a, b) => a.project.localeCompare(b.project));
}

function commit(ws: TempWorkspace, message: string): void {
  ws.run('git', ['add', '-A']);
  ws.run('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', message]);
}

describeWithKubectl('nx affected -t validate', () => {
  let ws: TempWorkspace;
  let components: string[];
  /** A component nothing depends on, so only it and the environments deploying it are affected. */
  let leaf: { name: string; layer: { name: string } };

  beforeAll(() => {
    ws = createTempWorkspace({ git: true, prefix: 'gitops-affected-' });
    const { plan } = buildSyntheticTree(ws.root, { components: 8 });
    components = plan.map((c) => c.name).sort();
    leaf = plan.find((c) => !plan.some((other) => other.dependsOn.includes(c.name)))!;
    commit(ws, 'synthetic tree');
    ws.nx(['run-many', '-t', 'validate']);
  }, 300_000);
  afterAll(() => ws?.remove());

  it('after a change to one overlay, validates only that component and the environments deploying it', () => {
    ws.write(`gitops/components/${leaf.layer.name}/${leaf.name}/overlays/staging/values.yaml`, 'replicaCount: 2\n');
    commit(ws, 'scale one component in staging');

    const ran = affectedValidate(ws);

    expect(ran.map((r) => r.project)).toEqual([leaf.name, ...ENVS]);
    expect(ran.filter((r) => r.fromCache)).toEqual([]);
  }, 180_000);

  it('a second run with no change is all cache hits', () => {
    const ran = affectedValidate(ws);

    expect(ran.map((r) => r.project)).toEqual([leaf.name, ...ENVS]);
    expect(ran.every((r) => r.fromCache)).toBe(true);
  }, 180_000);

  it('a change to the layers file affects every component and environment', () => {
    ws.write('gitops/platform.yaml', ws.read('gitops/platform.yaml') + '# reviewed\n');
    commit(ws, 'touch layers');

    const ran = affectedValidate(ws);

    expect(ran.map((r) => r.project)).toEqual([...components, ...ENVS]);
    expect(ran.filter((r) => r.fromCache)).toEqual([]);
  }, 300_000);

  it("a change to the validator's code affects every component and environment", () => {
    ws.write('packages/gitops/src/validation/inputs.ts', ws.read('packages/gitops/src/validation/inputs.ts') + '// reviewed\n');
    commit(ws, 'touch the validator');

    const ran = affectedValidate(ws);

    expect(ran.map((r) => r.project)).toEqual([...components, ...ENVS]);
    expect(ran.filter((r) => r.fromCache)).toEqual([]);
  }, 300_000);
});
