import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryReader } from './file-reader';
import { diskRenderMemo, renderCacheDir, RENDER_CACHE_DIR } from './render-memo';
import { LoadedTree } from './stages/1-load';
import type { SchemaVerdict } from './stages/4-schema';

const KUSTOMIZE = 'kubectl v1.32.4 kustomize v5.5.0 --load-restrictor=LoadRestrictionsNone';
const CM = { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, file: 'c/base/cm.yaml' };

/** Component c: a base and two overlays that include it; one overlay also reads a file outside its closure. */
function files(): Record<string, string> {
  return {
    'c/base/kustomization.yaml': 'resources: [cm.yaml]\n',
    'c/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
    'c/overlays/dev/kustomization.yaml': 'resources: [../../base]\n',
    'c/overlays/prod/kustomization.yaml': 'resources: [../../base]\npatches: [{path: ../../../shared/patch.yaml}]\n',
    'shared/patch.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, labels: {a: b}}\n',
    'remote/kustomization.yaml': 'resources: [https://example.com/x.yaml]\n',
    'helm/kustomization.yaml': 'helmCharts: [{name: x, valuesFile: ../values.yaml}]\n',
  };
}

let folder: string;
beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'render-memo-spec-'))));
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** One run: a fresh tree and memo over the same folder, as the engine opens them. */
function run(tree: Record<string, string>, version = KUSTOMIZE, schemas = 'schemas-1') {
  const loaded = new LoadedTree(memoryReader(tree));
  return { tree: loaded, memo: diskRenderMemo(folder, version, schemas) };
}

function store(tree: Record<string, string>, dir: string, verdicts?: SchemaVerdict[]): void {
  const r = run(tree);
  for (const f of Object.keys(tree)) r.tree.file(f);
  r.memo.set(r.tree, dir, [CM], verdicts);
}

describe('render memo', () => {
  it('gives back what a directory rendered to, with its include closure and the files known to parse cleanly', () => {
    const tree = files();
    store(tree, 'c/overlays/dev');

    const r = run(tree);
    const hit = r.memo.get(r.tree.reader, 'c/overlays/dev');

    expect(hit).toEqual({
      objects: [CM],
      closure: ['c/overlays/dev', 'c/base'],
      clean: ['c/overlays/dev/kustomization.yaml', 'c/base/cm.yaml', 'c/base/kustomization.yaml'],
      covers: ['c/base/cm.yaml', 'c/base/kustomization.yaml', 'c/overlays/dev/kustomization.yaml'],
      deprecatedFields: false,
    });
  });

  it('says when a kustomization of the closure uses a deprecated field, so a hit still reports it', () => {
    const tree = { ...files(), 'c/base/kustomization.yaml': 'resources: [cm.yaml]\ncommonLabels: {app: c}\n' };
    store(tree, 'c/overlays/dev');

    const r = run(tree);

    expect(r.memo.get(r.tree.reader, 'c/overlays/dev')?.deprecatedFields).toBe(true);
  });

  it('misses for every overlay including a base once a base file changes', () => {
    const tree = files();
    store(tree, 'c/overlays/dev');
    store(tree, 'c/overlays/prod');

    const changed = { ...tree, 'c/base/cm.yaml': tree['c/base/cm.yaml'] + 'data: {a: "1"}\n' };
    const r = run(changed);

    expect(r.memo.get(r.tree.reader, 'c/overlays/dev')).toBeUndefined();
    expect(r.memo.get(r.tree.reader, 'c/overlays/prod')).toBeUndefined();
  });

  it('misses when a file named outside the closure changes, and only for the overlay that reads it', () => {
    const tree = files();
    store(tree, 'c/overlays/dev');
    store(tree, 'c/overlays/prod');

    const r = run({ ...tree, 'shared/patch.yaml': tree['shared/patch.yaml'].replace('a: b', 'a: c') });

    expect(r.memo.get(r.tree.reader, 'c/overlays/prod')).toBeUndefined();
    expect(r.memo.get(r.tree.reader, 'c/overlays/dev')?.objects).toEqual([CM]);
  });

  it('misses for another kustomize version', () => {
    const tree = files();
    store(tree, 'c/overlays/dev');

    const r = run(tree, 'kubectl v1.33.0 kustomize v5.6.0 --load-restrictor=LoadRestrictionsNone');

    expect(r.memo.get(r.tree.reader, 'c/overlays/dev')).toBeUndefined();
  });

  it('never memoises a render that reads what no hash covers (remote resources, helmCharts)', () => {
    const tree = files();
    store(tree, 'remote');
    store(tree, 'helm');

    expect(readdirSync(folder)).toEqual([]);
  });

  it('keeps the schema verdicts of the objects for the validator version that reached them', () => {
    const tree = files();
    const verdict: SchemaVerdict = { status: 'checked', findings: [{ path: ['data'], rule: 'schema-invalid', severity: 'error', message: 'ConfigMap x: data must be object.' }] };
    store(tree, 'c/overlays/dev', [verdict]);

    const same = run(tree);
    const upgraded = run(tree, KUSTOMIZE, 'schemas-2');

    expect(same.memo.get(same.tree.reader, 'c/overlays/dev')?.verdicts).toEqual([verdict]);
    expect(upgraded.memo.get(upgraded.tree.reader, 'c/overlays/dev')).toMatchObject({ objects: [CM] });
    expect(upgraded.memo.get(upgraded.tree.reader, 'c/overlays/dev')?.verdicts).toBeUndefined();
  });

  it('ignores a corrupted entry', () => {
    const tree = files();
    store(tree, 'c/overlays/dev');
    const [entry] = readdirSync(folder);
    writeFileSync(join(folder, entry), '{"format": "mlops-gitops-render-memo/1", "objects": [');

    const r = run(tree);

    expect(r.memo.get(r.tree.reader, 'c/overlays/dev')).toBeUndefined();
  });

  it('keeps at most the given number of entries, dropping the oldest', () => {
    const tree = files();
    const memo = diskRenderMemo(folder, KUSTOMIZE, 'schemas-1', 1);
    const loaded = new LoadedTree(memoryReader(tree));
    memo.set(loaded, 'c/overlays/dev', [CM]);
    memo.set(loaded, 'c/overlays/prod', [CM]);

    memo.prune();

    expect(readdirSync(folder)).toHaveLength(1);
  });

  it('lives in the workspace node_modules cache unless MLOPS_GITOPS_RENDER_CACHE says off or names a folder', () => {
    expect(renderCacheDir('/repo', {})).toBe(join('/repo', RENDER_CACHE_DIR));
    expect(renderCacheDir('/repo', { MLOPS_GITOPS_RENDER_CACHE: 'off' })).toBeUndefined();
    expect(renderCacheDir('/repo', { MLOPS_GITOPS_RENDER_CACHE: '/tmp/memo' })).toBe('/tmp/memo');
  });
});
