import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TreeRoot } from '../model/layout';
import { cacheDirFor, CACHE_DIR, cachedLayoutChecks, cachedRenders, cachedTreeModel, cachedVerdicts } from './caches';
import { memoryReader } from './file-reader';
import { LoadedTree } from './stages/1-load';
import type { DirRender } from './stages/2-render';
import type { VerdictInput } from './stages/4-schema';
import type { SchemaVerdict } from './stages/4-schema';
import type { Finding } from './types';

const KUSTOMIZE = 'kubectl v1.32.4 kustomize v5.5.0';
const CM = {
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
  file: 'c/base/cm.yaml',
};

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
beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'caches-spec-'))));
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** One run of the cached render stage over `tree`; returns which directories kustomize (here: a stand-in) had to render. */
async function renderRun(tree: Record<string, string>, dirs: string[], version = KUSTOMIZE) {
  const loaded = new LoadedTree(memoryReader(tree));
  const rendered: string[] = [];
  const render = cachedRenders(folder, version, loaded, async (misses) => {
    rendered.push(...misses);
    return new Map(
      misses.map((d): [string, DirRender] => [
        d,
        {
          status: 'rendered',
          objects: [CM],
          closure: loaded.closure(d),
          findings: [],
        },
      ]),
    );
  });
  const { outputs, hits } = await render(dirs);
  return { rendered, hits, outputs };
}

describe('validation cache: renders', () => {
  it('renders an unchanged directory once, then gives back its objects and include closure', async () => {
    await renderRun(files(), ['c/overlays/dev']);
    const again = await renderRun(files(), ['c/overlays/dev']);
    expect(again.rendered).toEqual([]);
    expect(again.hits).toBe(1);
    expect(again.outputs.get('c/overlays/dev')).toMatchObject({
      status: 'rendered',
      objects: [CM],
      closure: ['c/overlays/dev', 'c/base'],
    });
  });

  it('renders again every overlay including a base once a base file changes', async () => {
    await renderRun(files(), ['c/overlays/dev', 'c/overlays/prod']);
    const changed = {
      ...files(),
      'c/base/cm.yaml': files()['c/base/cm.yaml'] + 'data: {a: "1"}\n',
    };
    expect((await renderRun(changed, ['c/overlays/dev', 'c/overlays/prod'])).rendered).toEqual(['c/overlays/dev', 'c/overlays/prod']);
  });

  it('renders again only the overlay that reads a changed file outside its closure', async () => {
    await renderRun(files(), ['c/overlays/dev', 'c/overlays/prod']);
    const changed = {
      ...files(),
      'shared/patch.yaml': files()['shared/patch.yaml'].replace('a: b', 'a: c'),
    };
    expect((await renderRun(changed, ['c/overlays/dev', 'c/overlays/prod'])).rendered).toEqual(['c/overlays/prod']);
  });

  it('renders again for another kustomize version', async () => {
    await renderRun(files(), ['c/overlays/dev']);
    expect((await renderRun(files(), ['c/overlays/dev'], 'kubectl v1.33.0 kustomize v5.6.0')).rendered).toEqual(['c/overlays/dev']);
  });

  it('never keeps a render that reads what no hash covers (remote resources, helmCharts)', async () => {
    await renderRun(files(), ['remote', 'helm']);
    expect(existsSync(join(folder, 'renders')) ? readdirSync(join(folder, 'renders')) : []).toEqual([]);
  });

  it('ignores a corrupted entry', async () => {
    await renderRun(files(), ['c/overlays/dev']);
    const [entry] = readdirSync(join(folder, 'renders'));
    writeFileSync(join(folder, 'renders', entry), '{"format": "mlops-gitops-render/3", "value": {');
    expect((await renderRun(files(), ['c/overlays/dev'])).rendered).toEqual(['c/overlays/dev']);
  });
});

describe('validation cache: schema verdicts and the tree model', () => {
  const VERDICT: SchemaVerdict = {
    status: 'checked',
    findings: [
      {
        path: ['data'],
        rule: 'schema-invalid',
        severity: 'error',
        message: 'ConfigMap x: data must be object.',
      },
    ],
  };

  async function checkRun(objects: VerdictInput[], validator = 'v1') {
    const checked: VerdictInput[] = [];
    const verdicts = cachedVerdicts(
      folder,
      () => validator,
      async (misses) => {
        checked.push(...misses);
        return new Map(misses.map((o) => [o, VERDICT]));
      },
    );
    const { outputs } = await verdicts(objects);
    return { checked, outputs };
  }

  it('checks an object once per validator; an equal object elsewhere reuses the verdict', async () => {
    await checkRun([{ object: { ...CM.object } }]);
    const same = await checkRun([{ object: { ...CM.object } }, { object: { ...CM.object, data: { a: '1' } } }]);
    expect(same.checked).toEqual([{ object: { ...CM.object, data: { a: '1' } } }]);
    expect([...same.outputs.values()]).toEqual([VERDICT, VERDICT]);
    expect((await checkRun([{ object: { ...CM.object } }], 'v2')).checked).toHaveLength(1);
  });

  it('does not reuse a verdict for the same object with values a Flux post-build left unknowable', async () => {
    await checkRun([{ object: { ...CM.object } }]);
    const opaque = { object: { ...CM.object }, opaque: ['/data/password'] };
    expect((await checkRun([opaque])).checked).toEqual([opaque]);
  });

  it('keeps the tree model under the texts it was built from', () => {
    const root: TreeRoot = { root: 'gitops' };
    const sources = [
      { path: 'gitops/platform.yaml', text: 'layers: []\n' },
      { path: 'gitops/components/apps/web/component.yaml', text: 'name: web\nkind: manifests\n' },
    ];
    const first = cachedTreeModel(folder, sources, root);
    const again = cachedTreeModel(folder, sources, root);
    expect(again).toEqual(first);
    // A component's overlays are a Map, which JSON alone would turn into {}.
    expect(again.components.get('web')?.overlays).toBeInstanceOf(Map);
    expect(readdirSync(folder)).toContain('tree-model.json');
  });

  it('lives in the workspace node_modules cache unless MLOPS_GITOPS_RENDER_CACHE says off or names a folder', () => {
    expect(cacheDirFor('/repo', {})).toBe(join('/repo', CACHE_DIR));
    expect(cacheDirFor('/repo', { MLOPS_GITOPS_RENDER_CACHE: 'off' })).toBeUndefined();
    expect(cacheDirFor('/repo', { MLOPS_GITOPS_RENDER_CACHE: '/tmp/memo' })).toBe('/tmp/memo');
  });
});

describe('validation cache: layout checks', () => {
  const DRIFT: Finding = {
    target: 'gitops/clusters/prod',
    file: 'gitops/clusters/prod/flux/web.yaml',
    line: 3,
    rule: 'derived-drift',
    severity: 'error',
    message: 'spec.prune is false, expected true',
  };

  /** A check that reads the derived file and the directory it is in, as drift does; returns what it computed and whether it ran. */
  async function layoutRun(tree: Record<string, string>, targets = ['gitops/clusters/prod']) {
    let ran = 0;
    const loaded = new LoadedTree(memoryReader(tree));
    const findings = await cachedLayoutChecks(folder, loaded, targets, (files) => {
      ran++;
      const entries = files.reader.listEntries('gitops/clusters/prod/flux');
      const derived = files.file('gitops/clusters/prod/flux/web.yaml');
      return entries.includes('web.yaml') && /prune: false/.test(files.reader.read('gitops/clusters/prod/flux/web.yaml')) && derived ? [DRIFT] : [];
    });
    return { ran, findings };
  }

  const tree = (prune: boolean, extra: Record<string, string> = {}) => ({
    'gitops/clusters/prod/flux/web.yaml': `kind: Kustomization\nspec:\n  prune: ${prune}\n`,
    'gitops/components/apps/web/overlays/prod/values.yaml': 'replicaCount: 1\n',
    ...extra,
  });

  it('gives the stored findings while everything the checks read reads the same', async () => {
    expect(await layoutRun(tree(false))).toEqual({ ran: 1, findings: [DRIFT] });
    expect(await layoutRun(tree(false))).toEqual({ ran: 0, findings: [DRIFT] });
    // A file the checks never read (an overlay's values) changes nothing.
    expect(await layoutRun({ ...tree(false), 'gitops/components/apps/web/overlays/prod/values.yaml': 'replicaCount: 2\n' })).toEqual({
      ran: 0,
      findings: [DRIFT],
    });
  });

  it('checks again when a file they read changed, a listing they read changed, or the targets differ', async () => {
    await layoutRun(tree(false));
    expect(await layoutRun(tree(true))).toEqual({ ran: 1, findings: [] });
    expect(await layoutRun(tree(true, { 'gitops/clusters/prod/flux/new.yaml': 'kind: Kustomization\n' }))).toMatchObject({ ran: 1 });
    expect(await layoutRun(tree(true), ['gitops/clusters/prod', 'gitops/components/apps/web'])).toMatchObject({ ran: 1 });
  });
});
