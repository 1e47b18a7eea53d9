/**
 * End to end: the real `nx` binary on a temporary copy of this workspace runs
 * the component and environment generators; every kustomization they wrote
 * must render with `kubectl kustomize`, and every object must validate against
 * the kubernetes-models schema of its apiVersion.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createTempWorkspace, hasKubectl, TempWorkspace, WORKSPACE_ROOT } from './support/workspace';

function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(join(root, 'gitops'));
  return out;
}

function written(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((f) => before.get(f) !== after.get(f)).sort();
}

/** Schema check in an ESM process: kubernetes-models is ESM-only. Prints one JSON report. */
const VALIDATOR = `
const { parseAllDocuments } = await import('yaml');
const modules = {
  'helm.toolkit.fluxcd.io/v2': '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2',
  'source.toolkit.fluxcd.io/v1': '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1',
  'kustomize.toolkit.fluxcd.io/v1': '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1',
  'argoproj.io/v1alpha1': '@kubernetes-models/argo-cd/argoproj.io/v1alpha1',
  'external-secrets.io/v1': '@kubernetes-models/external-secrets/external-secrets.io/v1',
  'v1': 'kubernetes-models/v1',
};
const input = JSON.parse(await new Promise((r) => { let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => r(s)); }));
const report = { checked: [], unchecked: [], errors: [] };
for (const { source, text } of input) {
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS();
    if (!o || !o.kind) continue;
    const id = source + ': ' + o.apiVersion + ' ' + o.kind + ' ' + (o.metadata && o.metadata.name);
    const mod = modules[o.apiVersion];
    const Model = mod && (await import(mod))[o.kind];
    if (!Model) { report.unchecked.push(id); continue; }
    try { new Model(o).validate(); report.checked.push(id); } catch (e) { report.errors.push(id + ': ' + e.message); }
  }
}
console.log(JSON.stringify(report));
`;

function schemaCheck(documents: { source: string; text: string }[]) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', VALIDATOR], {
    cwd: join(WORKSPACE_ROOT, 'packages/gitops'),
    input: JSON.stringify(documents),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`schema check failed to run:\n${r.stderr}`);
  return JSON.parse(r.stdout) as { checked: string[]; unchecked: string[]; errors: string[] };
}

const kubectl = hasKubectl();
if (!kubectl) console.warn('kubectl is missing: rendering and schema checks of generated kustomizations are skipped (CI requires kubectl).');

describe('nx g @mlops/gitops:component / :environment (real nx binary)', () => {
  let ws: TempWorkspace;
  let initial: Map<string, string>;
  let files: string[];

  beforeAll(() => {
    ws = createTempWorkspace({ prefix: 'gitops-gen-e2e-' });
    initial = snapshot(ws.root);
  }, 120_000);
  afterAll(() => ws?.remove());

  it('--dry-run lists the files and writes nothing', () => {
    const r = ws.nx(['g', '@mlops/gitops:component', 'redis-operator', '--dry-run']);
    expect(r.stdout).toContain('CREATE gitops/components/platform-operators/redis-operator/base/helmrelease.yaml');
    expect(written(initial, snapshot(ws.root))).toEqual([]);
  }, 120_000);

  it('component redis-operator goes into every environment; environment qa adds every component', () => {
    ws.nx(['g', '@mlops/gitops:component', 'redis-operator']);
    for (const env of ['development', 'staging', 'production']) {
      expect(ws.exists(`gitops/components/platform-operators/redis-operator/overlays/${env}/version.yaml`)).toBe(true);
      expect(ws.exists(`gitops/clusters/${env}/flux/redis-operator.yaml`)).toBe(true);
    }
    ws.nx(['g', '@mlops/gitops:environment', 'qa', '--engines', 'flux,argocd']);
    const components = readdirSync(join(ws.root, 'gitops/clusters/production/flux')).map((f) => f.replace(/\.yaml$/, ''));
    for (const c of components) {
      expect(ws.exists(`gitops/clusters/qa/flux/${c}.yaml`)).toBe(true);
      expect(ws.exists(`gitops/clusters/qa/argocd/apps/${c}.yaml`)).toBe(true);
    }
    files = written(initial, snapshot(ws.root));
    expect(files.length).toBeGreaterThan(50);
  }, 240_000);

  it('a refused input exits non-zero with the message and writes nothing', () => {
    const before = snapshot(ws.root);
    const r = ws.nx(['g', '@mlops/gitops:component', 'redis-operator', '--chart-version', 'next'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("Chart version 'next' is not semver");
    expect(written(before, snapshot(ws.root))).toEqual([]);
  }, 120_000);

  (kubectl ? it : it.skip)(
    'every kustomization written renders with kubectl kustomize, and every object validates',
    () => {
      const dirs = new Set<string>();
      for (const f of files) {
        // A written file counts for the kustomization of its own folder and of the overlays that include its base.
        let dir = dirname(f);
        if (existsSync(join(ws.root, dir, 'kustomization.yaml'))) dirs.add(dir);
        if (dir.endsWith('/base')) {
          const overlays = join(dirname(dir), 'overlays');
          for (const env of readdirSync(join(ws.root, overlays))) dirs.add(join(overlays, env));
        }
      }
      const rendered: { source: string; text: string }[] = [];
      const failures: string[] = [];
      for (const dir of [...dirs].sort()) {
        const r = spawnSync('kubectl', ['kustomize', dir], { cwd: ws.root, encoding: 'utf8' });
        if (r.status !== 0) failures.push(`${dir}: ${r.stderr.trim()}`);
        else rendered.push({ source: dir, text: r.stdout });
      }
      expect(failures).toEqual([]);
      // redis-operator's base and 4 overlays, the qa overlay of the 13 live components, 4 cluster entry points, qa's Secrets folder.
      expect(dirs.size).toBe(23);

      // Argo CD files are applied as they are (root app-of-apps), not through kustomize.
      const argo = files.filter((f) => f.includes('/argocd/')).map((f) => ({ source: f, text: ws.read(f) }));
      const report = schemaCheck([...rendered, ...argo]);
      expect(report.errors).toEqual([]);
      const kinds = new Set(report.checked.map((id) => id.split(': ')[1].split(' ').slice(0, 2).join(' ')));
      expect([...kinds].sort()).toEqual(
        expect.arrayContaining([
          'argoproj.io/v1alpha1 AppProject',
          'argoproj.io/v1alpha1 Application',
          'helm.toolkit.fluxcd.io/v2 HelmRelease',
          'kustomize.toolkit.fluxcd.io/v1 Kustomization',
          'source.toolkit.fluxcd.io/v1 HelmRepository',
          'source.toolkit.fluxcd.io/v1 OCIRepository',
          'v1 Namespace',
        ]),
      );
      // Only the operators' custom resources have no schema in kubernetes-models.
      expect(report.unchecked.filter((id) => !/kafka\.strimzi\.io|minio\.min\.io|postgresql\.cnpg\.io|v1 ConfigMap/.test(id))).toEqual([]);
    },
    240_000,
  );
});
