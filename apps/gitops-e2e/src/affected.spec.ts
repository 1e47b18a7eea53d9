/**
 * Affected-only and cached validation, with a real git history and the real
 * nx binary: a one-file change validates only what it touches, a re-run is
 * all cache hits, and changing the layers file or the validator affects
 * every component and environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempWorkspace, describeWithKubectl, TempWorkspace, WORKSPACE_ROOT } from './support/workspace';

const { buildSyntheticTree } = require(join(WORKSPACE_ROOT, 'tools/bench/synthetic-tree.js')) as {
  buildSyntheticTree(dir: string, o: { components: number }): { plan: { name: string; layer: { name: string }; dependsOn: string[] }[] };
};

const ENVS = ['env-development', 'env-production', 'env-staging'];
const describeIfKubectl = describeWithKubectl('affected.spec');

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

describeIfKubectl('nx affected -t validate', () => {
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

  it('after a change to one overlay, validates only that component and the environment deploying that overlay', () => {
    ws.write(`gitops/components/${leaf.layer.name}/${leaf.name}/overlays/staging/values.yaml`, 'replicaCount: 2\n');
    commit(ws, 'scale one component in staging');

    const ran = affectedValidate(ws);

    expect(ran.map((r) => r.project)).toEqual([leaf.name, ...ENVS]);
    // Development and production deploy other overlays of it: their results still hold.
    expect(ran.filter((r) => !r.fromCache).map((r) => r.project)).toEqual([leaf.name, 'env-staging']);
  }, 180_000);

  it('after a change to a base, validates every environment deploying the component', () => {
    ws.write(`gitops/components/${leaf.layer.name}/${leaf.name}/base/values.yaml`, 'replicaCount: 1\nimage:\n  tag: 1.0.1\n');
    commit(ws, 'bump the image in the base');

    const ran = affectedValidate(ws);

    expect(ran.filter((r) => !r.fromCache).map((r) => r.project)).toEqual([leaf.name, ...ENVS]);
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

/**
 * The render memo that keeps affected runs flat must never change a result:
 * the engine (built, in its own process: the schema packages are ESM-only)
 * with a warm memo reports exactly what it reports without one, and a change
 * to a base re-renders every overlay that includes it.
 */
describeIfKubectl('render memo', () => {
  let ws: TempWorkspace;
  let memo: string;
  let plan: { name: string; layer: { name: string } }[];
  const base = (c: { name: string; layer: { name: string } }, file: string) => `gitops/components/${c.layer.name}/${c.name}/base/${file}`;

  interface Run {
    findings: { file: string; line: number; rule: string; message: string; target: string }[];
    stats: { renders: number; memoHits?: number };
  }

  const filesWith = (run: Run, rule: string) => [...new Set(run.findings.filter((f) => f.rule === rule).map((f) => f.file))].sort();

  /** Every component and environment in one engine call, as `nx run-many -t validate` makes it. */
  function validateAll(memoDir?: string): Run {
    const targets = [
      ...plan.map((c) => `gitops/components/${c.layer.name}/${c.name}`),
      ...ENVS.map((e) => `gitops/clusters/${e.slice('env-'.length)}`),
    ];
    const script = `require(${JSON.stringify(join(ws.root, 'packages/gitops/dist/validation/engine.js'))})
      .validate(${JSON.stringify({ root: ws.root, layout: 'gitops', targets, ...(memoDir ? { cacheDir: memoDir } : {}) })})
      .then((r) => process.stdout.write(JSON.stringify(r)))`;
    return JSON.parse(ws.run(process.execPath, ['-e', script]).stdout) as Run;
  }

  beforeAll(() => {
    ws = createTempWorkspace({ prefix: 'gitops-memo-' });
    plan = buildSyntheticTree(ws.root, { components: 6 }).plan;
    memo = mkdtempSync(join(tmpdir(), 'gitops-memo-cache-'));
    // A finding in every overlay of the first component, so there is something to compare.
    ws.write(base(plan[0], 'helmrelease.yaml'), ws.read(base(plan[0], 'helmrelease.yaml')).replace('interval: 10m', 'interval: 10m\n  valuez: {}'));
    // And a finding of reading a kustomization (not of its render): a deprecated field.
    ws.write(base(plan[2], 'kustomization.yaml'), ws.read(base(plan[2], 'kustomization.yaml')) + 'commonLabels: {team: data}\n');
  }, 120_000);
  afterAll(() => {
    ws?.remove();
    rmSync(memo, { recursive: true, force: true });
  });

  it('a warm memo renders nothing and reports exactly the findings of a run without it', () => {
    const cold = validateAll();
    validateAll(memo);

    const warm = validateAll(memo);

    expect(filesWith(cold, 'schema-unknown-field')).toEqual([base(plan[0], 'helmrelease.yaml')]);
    expect(filesWith(cold, 'deprecated-api')).toEqual([base(plan[2], 'kustomization.yaml')]);
    expect(warm.stats.renders).toBe(0);
    expect(warm.stats.memoHits).toBe(plan.length * 3 + ENVS.length);
    expect(warm.findings).toEqual(cold.findings);
  }, 180_000);

  it('a change to a base file re-renders every overlay that includes it, and only those', () => {
    const changed = plan[1];
    ws.write(base(changed, 'helmrelease.yaml'), ws.read(base(changed, 'helmrelease.yaml')).replace('interval: 10m', 'interval: 10m\n  valuez: {}'));

    const warm = validateAll(memo);
    const cold = validateAll();

    expect(warm.stats.memoHits).toBe((plan.length - 1) * 3 + ENVS.length);
    expect(filesWith(warm, 'schema-unknown-field')).toEqual([base(plan[0], 'helmrelease.yaml'), base(changed, 'helmrelease.yaml')].sort());
    expect(warm.findings).toEqual(cold.findings);
  }, 180_000);
});
