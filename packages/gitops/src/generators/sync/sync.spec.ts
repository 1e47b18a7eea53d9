import { Tree, workspaceRoot } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FsTree } from 'nx/src/generators/tree';
import { parse, parseAllDocuments } from 'yaml';
import { changedFiles, createGitopsTree, createPlatformTree, snapshot } from '../shared/testing';
import syncGenerator from './sync';

const CL = 'gitops/clusters';
const read = (tree: Tree, path: string) => parse(tree.read(path, 'utf-8')!);
const edit = (tree: Tree, path: string, from: string | RegExp, to: string) => {
  const before = tree.read(path, 'utf-8')!;
  const after = before.replace(from, to);
  if (after === before) throw new Error(`test setup: '${String(from)}' not found in ${path}`);
  tree.write(path, after);
};
const namespacesOf = (tree: Tree, env: string) =>
  parseAllDocuments(tree.read(`${CL}/${env}/namespaces.yaml`, 'utf-8')!).map((d) => d.toJS().metadata.name);
const AIRFLOW = 'gitops/components/orchestration/airflow/component.yaml';
const AIRFLOW_STAGING_VERSION = 'gitops/components/orchestration/airflow/overlays/staging/version.yaml';

/** development (Flux), staging (Flux and Argo CD), production (Flux, manual) with six components. */

/** A fresh copy of the files of a tree, so each test starts from the same generated platform. */
function copyOf(files: Record<string, string>): Tree {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'prettier' } as never);
  for (const [path, text] of Object.entries(files)) tree.write(path, text);
  return tree;
}

describe('sync generator', () => {
  let generated: Record<string, string>;
  let tree: Tree;
  beforeAll(async () => {
    generated = snapshot(
      await createPlatformTree(['sealed-secrets', 'strimzi-kafka-operator', 'cloudnative-pg', 'postgresql', 'airflow', 'kafka-cluster']),
    );
  }, 60_000);
  beforeEach(() => {
    tree = copyOf(generated);
  });

  it('changes nothing on a tree the generators just wrote, and says nothing', async () => {
    const before = snapshot(tree);
    expect(await syncGenerator(tree)).toBeUndefined();
    expect(changedFiles(before, snapshot(tree))).toEqual([]);
  });

  it('leaves derived files laid out by hand alone while their facts agree', async () => {
    // On disk, as `nx sync` sees a workspace: only files the run changed are formatted.
    const dir = mkdtempSync(join(tmpdir(), 'gitops-sync-spec-'));
    try {
      for (const [path, text] of Object.entries(generated)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const flux = `${CL}/staging/flux/airflow.yaml`;
      writeFileSync(join(dir, flux), generated[flux].replace(/^( +)/gm, '$1$1'));
      const disk = new FsTree(dir, false);
      expect(await syncGenerator(disk)).toBeUndefined();
      expect(disk.listChanges()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('component.yaml dependsOn edited by hand', () => {
    it("updates the Flux Kustomization's dependsOn in every environment and names each file", async () => {
      edit(tree, AIRFLOW, '  - postgresql\n', '  - postgresql\n  - strimzi-kafka-operator\n');
      const result = await syncGenerator(tree);
      for (const env of ['development', 'staging', 'production']) {
        expect(read(tree, `${CL}/${env}/flux/airflow.yaml`).spec.dependsOn).toEqual([
          { name: 'platform-secrets' },
          { name: 'postgresql' },
          { name: 'strimzi-kafka-operator' },
        ]);
      }
      expect(result).toEqual({
        outOfSyncMessage: expect.stringContaining('3 derived files of the GitOps tree differ'),
        outOfSyncDetails: expect.any(Array),
      });
      expect(result!.outOfSyncDetails).toEqual(
        ['development', 'production', 'staging'].map((env) =>
          expect.stringMatching(
            new RegExp(
              `^  ${CL}/${env}/flux/airflow\\.yaml:\\d+: spec\\.dependsOn is \\[\\{"name":"platform-secrets"\\},\\{"name":"postgresql"\\}\\], expected \\[\\{"name":"platform-secrets"\\},\\{"name":"postgresql"\\},\\{"name":"strimzi-kafka-operator"\\}\\] \\(from ${AIRFLOW} dependsOn`,
            ),
          ),
        ),
      );
      expect(read(tree, `${CL}/production/flux/airflow.yaml`).spec.sourceRef.name).toBe('gitops-release');
    });

    it('keeps only the secrets entry in dependsOn when component.yaml lists no dependency', async () => {
      edit(tree, AIRFLOW, /dependsOn:\n {2}- postgresql\n/, 'dependsOn: []\n');
      await syncGenerator(tree);
      expect(read(tree, `${CL}/staging/flux/airflow.yaml`).spec.dependsOn).toEqual([{ name: 'platform-secrets' }]);
    });

    it('keeps comments and hand edits of the Flux Kustomization', async () => {
      const flux = `${CL}/staging/flux/airflow.yaml`;
      edit(tree, flux, '  interval: 10m\n', '  # reconciled often: the team watches this one\n  interval: 1m\n');
      edit(tree, AIRFLOW, '  - postgresql\n', '  - postgresql\n  - sealed-secrets\n');
      await syncGenerator(tree);
      const text = tree.read(flux, 'utf-8')!;
      expect(text).toContain('# reconciled often: the team watches this one\n  interval: 1m\n');
      expect(text).toContain('# airflow in staging: deploys');
      expect(parse(text).spec.interval).toBe('1m');
      expect(parse(text).spec.dependsOn).toEqual([{ name: 'platform-secrets' }, { name: 'postgresql' }, { name: 'sealed-secrets' }]);
    });
  });

  describe('component.yaml namespace edited by hand', () => {
    it('moves the Flux Kustomization, the Argo CD Application and the namespaces of every environment', async () => {
      edit(tree, AIRFLOW, 'namespace: orchestration', 'namespace: workflows');
      const result = await syncGenerator(tree);
      for (const env of ['development', 'staging', 'production']) {
        expect(read(tree, `${CL}/${env}/flux/airflow.yaml`).spec.targetNamespace).toBe('workflows');
        expect(namespacesOf(tree, env)).toContain('workflows');
      }
      expect(read(tree, `${CL}/staging/argocd/apps/airflow.yaml`).spec.destination).toEqual({
        server: 'https://kubernetes.default.svc',
        namespace: 'workflows',
      });
      expect(read(tree, `${CL}/staging/argocd/apps/project-orchestration.yaml`).spec.destinations).toContainEqual({
        server: 'https://kubernetes.default.svc',
        namespace: 'workflows',
      });
      expect(result!.outOfSyncDetails).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            new RegExp(
              `^  ${CL}/staging/flux/airflow\\.yaml:\\d+: spec\\.targetNamespace is orchestration, expected workflows \\(from ${AIRFLOW} namespace\\)`,
            ),
          ),
          expect.stringContaining(`${CL}/staging/argocd/apps/airflow.yaml`),
        ]),
      );
    });
  });

  describe('environment.yaml sync settings edited by hand', () => {
    it('sync manual in staging gates its Flux Kustomizations on the release source, stops pruning and drops Argo CD automated sync', async () => {
      for (const [from, to] of [
        ['sync: auto', 'sync: manual'],
        ['prune: true', 'prune: false'],
        ['selfHeal: true', 'selfHeal: false'],
      ]) {
        edit(tree, `${CL}/staging/environment.yaml`, from, to);
      }
      const result = await syncGenerator(tree);
      expect(read(tree, `${CL}/staging/flux/postgresql.yaml`).spec).toMatchObject({
        sourceRef: { kind: 'GitRepository', name: 'gitops-release' },
        prune: false,
      });
      expect(read(tree, `${CL}/staging/flux/postgresql.yaml`).spec).not.toHaveProperty('suspend');
      expect(read(tree, `${CL}/staging/argocd/apps/postgresql.yaml`).spec.syncPolicy).toEqual({
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
      });
      expect(result!.outOfSyncDetails).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^  ${CL}/staging/flux/postgresql\\.yaml:\\d+: spec\\.sourceRef is \\{"kind":"GitRepository","name":"flux-system"\\}, expected \\{"kind":"GitRepository","name":"gitops-release"\\} \\(from ${CL}/staging/environment\\.yaml sync`,
          ),
        ),
      );
      expect(read(tree, `${CL}/development/flux/postgresql.yaml`).spec.sourceRef.name).toBe('flux-system');
    });

    it('sync auto in production follows the branch again (no release source) and prunes', async () => {
      for (const [from, to] of [
        ['sync: manual', 'sync: auto'],
        ['prune: false', 'prune: true'],
        ['selfHeal: false', 'selfHeal: true'],
      ]) {
        edit(tree, `${CL}/production/environment.yaml`, from, to);
      }
      await syncGenerator(tree);
      const spec = read(tree, `${CL}/production/flux/airflow.yaml`).spec;
      expect(spec.sourceRef.name).toBe('flux-system');
      expect(spec.prune).toBe(true);
    });

    it('selfHeal false in staging follows into the automated block', async () => {
      edit(tree, `${CL}/staging/environment.yaml`, 'selfHeal: true', 'selfHeal: false');
      await syncGenerator(tree);
      expect(read(tree, `${CL}/staging/argocd/apps/airflow.yaml`).spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: false });
    });
  });

  describe('an overlay removed by hand: the component leaves that environment', () => {
    beforeEach(() => {
      for (const f of tree.listChanges().map((c) => c.path)) {
        if (f.startsWith('gitops/components/orchestration/postgresql/overlays/development/')) tree.delete(f);
      }
    });

    it("deletes its Flux Kustomization and drops it from the environment's kustomization.yaml, keeping namespaces.yaml first", async () => {
      const result = await syncGenerator(tree);
      expect(tree.exists(`${CL}/development/flux/postgresql.yaml`)).toBe(false);
      expect(read(tree, `${CL}/development/kustomization.yaml`).resources).toEqual([
        'namespaces.yaml',
        'flux/airflow.yaml',
        'flux/cloudnative-pg.yaml',
        'flux/kafka-cluster.yaml',
        'flux/platform-secrets.yaml',
        'flux/sealed-secrets.yaml',
        'flux/strimzi-kafka-operator.yaml',
      ]);
      expect(result!.outOfSyncDetails).toContainEqual(
        expect.stringMatching(new RegExp(`^  ${CL}/development/flux/postgresql\\.yaml: should not exist`)),
      );
      expect(read(tree, `${CL}/staging/kustomization.yaml`).resources).toContain('flux/postgresql.yaml');
    });

    it('drops it from the dependsOn of the components that needed it there (Flux would wait forever)', async () => {
      await syncGenerator(tree);
      expect(read(tree, `${CL}/development/flux/airflow.yaml`).spec.dependsOn).toEqual([{ name: 'platform-secrets' }]);
      expect(read(tree, `${CL}/staging/flux/airflow.yaml`).spec.dependsOn).toEqual([{ name: 'platform-secrets' }, { name: 'postgresql' }]);
    });

    it('removes a namespace once no component deploys into it, keeping the others with their hand-added labels', async () => {
      for (const f of tree.listChanges().map((c) => c.path)) {
        if (f.startsWith('gitops/components/orchestration/airflow/overlays/development/')) tree.delete(f);
      }
      edit(
        tree,
        `${CL}/development/namespaces.yaml`,
        '    mlops.example.com/layer: data-plane\n',
        '    mlops.example.com/layer: data-plane\n    team: streaming\n',
      );
      await syncGenerator(tree);
      expect(namespacesOf(tree, 'development')).toEqual(['data-plane', 'platform-operators']);
      expect(tree.read(`${CL}/development/namespaces.yaml`, 'utf-8')).toContain('team: streaming');
      expect(namespacesOf(tree, 'staging')).toEqual(['data-plane', 'orchestration', 'platform-operators']);
    });
  });

  describe('a component folder deleted by hand', () => {
    beforeEach(() => {
      for (const f of tree.listChanges().map((c) => c.path)) if (f.startsWith('gitops/components/data-plane/kafka-cluster/')) tree.delete(f);
    });

    it('deletes every Flux Kustomization and Argo CD Application of it, and every mention in the derived lists', async () => {
      const result = await syncGenerator(tree);
      const left = tree
        .listChanges()
        .filter((c) => c.type !== 'DELETE' && c.path.startsWith(`${CL}/`) && c.content?.toString().includes('kafka-cluster'))
        .map((c) => c.path);
      expect(left).toEqual([]);
      for (const env of ['development', 'staging', 'production']) expect(tree.exists(`${CL}/${env}/flux/kafka-cluster.yaml`)).toBe(false);
      expect(tree.exists(`${CL}/staging/argocd/apps/kafka-cluster.yaml`)).toBe(false);
      expect(tree.exists(`${CL}/staging/argocd/apps/project-data-plane.yaml`)).toBe(false);
      expect(result!.outOfSyncDetails).toContainEqual(
        expect.stringMatching(new RegExp(`^  ${CL}/staging/argocd/apps/kafka-cluster\\.yaml: should not exist`)),
      );
    });
  });

  it('recreates a derived file deleted by hand: what it holds follows from the sources', async () => {
    const flux = `${CL}/development/flux/postgresql.yaml`;
    const original = tree.read(flux, 'utf-8');
    tree.delete(flux);
    const result = await syncGenerator(tree);
    expect(tree.read(flux, 'utf-8')).toEqual(original);
    expect(result!.outOfSyncDetails).toContainEqual(`  ${flux}: missing; derived from the tool (it owns this file)`);
  });

  it('migrates engine: both to an engines list, saying so, and derives the same files', async () => {
    const settings = `${CL}/staging/environment.yaml`;
    edit(tree, settings, /engines:\n {2}- flux\n {2}- argocd\n/, 'engine: both\n');
    const before = snapshot(tree);
    const result = await syncGenerator(tree);
    expect(read(tree, settings).engines).toEqual(['flux', 'argocd']);
    expect(changedFiles(before, snapshot(tree))).toEqual([settings]);
    expect(result!.outOfSyncDetails).toEqual([`  ${settings}: engine: both is now engines: [flux, argocd] (engines are a list)`]);
  });

  it('narrows an AppProject when an Application no longer needs a repository or namespace', async () => {
    const project = `${CL}/staging/argocd/apps/project-orchestration.yaml`;
    for (const f of tree.listChanges().map((c) => c.path))
      if (f.startsWith('gitops/components/orchestration/airflow/overlays/staging/')) tree.delete(f);
    await syncGenerator(tree);
    expect(read(tree, project).spec.sourceRepos).not.toContain('https://airflow.apache.org');
  });

  it('adds a Flux Kustomization written by hand to the entry point, its target namespace too, and keeps other hand-added resources', async () => {
    tree.write(
      `${CL}/development/flux/team-tools.yaml`,
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: team-tools\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./tools\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  targetNamespace: tools\n',
    );
    edit(tree, `${CL}/development/kustomization.yaml`, '  - namespaces.yaml\n', '  - namespaces.yaml\n  - alerts/slack.yaml\n');
    await syncGenerator(tree);
    expect(read(tree, `${CL}/development/kustomization.yaml`).resources).toEqual([
      'namespaces.yaml',
      'alerts/slack.yaml',
      'flux/airflow.yaml',
      'flux/cloudnative-pg.yaml',
      'flux/kafka-cluster.yaml',
      'flux/platform-secrets.yaml',
      'flux/postgresql.yaml',
      'flux/sealed-secrets.yaml',
      'flux/strimzi-kafka-operator.yaml',
      'flux/team-tools.yaml',
    ]);
    expect(namespacesOf(tree, 'development')).toContain('tools');
  });

  describe('Argo CD', () => {
    const app = `${CL}/staging/argocd/apps/airflow.yaml`;

    it("follows a hand-bumped version.yaml with the Application's targetRevision, keeping its comments", async () => {
      edit(tree, AIRFLOW_STAGING_VERSION, /version: \d.*/, 'version: 1.22.99');
      const result = await syncGenerator(tree);
      expect(read(tree, app).spec.sources[0].targetRevision).toBe('1.22.99');
      expect(tree.read(app, 'utf-8')).toMatch(/^# airflow in staging \(layer orchestration, sync wave 4\)/);
      expect(result!.outOfSyncDetails).toEqual([
        expect.stringMatching(
          new RegExp(`^  ${app}:\\d+: spec\\.sources\\.0\\.targetRevision is .*, expected 1\\.22\\.99 \\(from ${AIRFLOW_STAGING_VERSION}\\)$`),
        ),
      ]);
    });

    it('restores a sync wave edited by hand, and follows a layer order changed in platform.yaml', async () => {
      const postgresql = `${CL}/staging/argocd/apps/postgresql.yaml`;
      const wave = (path: string) => read(tree, path).metadata.annotations['argocd.argoproj.io/sync-wave'];
      edit(tree, postgresql, /argocd\.argoproj\.io\/sync-wave: .*/, 'argocd.argoproj.io/sync-wave: "0"');
      await syncGenerator(tree);
      expect(wave(postgresql)).toBe('3');

      edit(tree, 'gitops/platform.yaml', /name: orchestration\n {4}order: 3/, 'name: orchestration\n    order: 4');
      const result = await syncGenerator(tree);
      expect(wave(postgresql)).toBe('4');
      // airflow waits for postgresql: its wave is after postgresql's, not just its layer's order.
      expect(wave(app)).toBe('5');
      expect(result!.outOfSyncDetails).toContainEqual(
        expect.stringMatching(new RegExp(`^  ${postgresql}:\\d+: metadata\\.annotations\\.argocd\\.argoproj\\.io/sync-wave is 3, expected 4`)),
      );
    });

    it('recreates the AppProject of a layer that has Applications', async () => {
      const project = `${CL}/staging/argocd/apps/project-orchestration.yaml`;
      const original = read(tree, project);
      tree.delete(project);
      const result = await syncGenerator(tree);
      expect(read(tree, project)).toEqual(original);
      expect(result!.outOfSyncDetails).toContainEqual(expect.stringMatching(new RegExp(`^  ${project}: missing`)));
    });

    it('recreates a deleted root.yaml as the generators wrote it, the gitops-root AppProject and the root app, and then leaves it alone', async () => {
      const root = `${CL}/staging/argocd/root.yaml`;
      const original = tree.read(root, 'utf-8');
      tree.delete(root);
      const result = await syncGenerator(tree);
      expect(tree.read(root, 'utf-8')).toEqual(original);
      expect(parseAllDocuments(original!).map((d) => `${d.toJS().kind} ${d.toJS().metadata.name} ${d.toJS().spec.project ?? ''}`.trim())).toEqual([
        'AppProject gitops-root',
        'Application root-staging gitops-root',
      ]);
      expect(result!.outOfSyncDetails).toEqual([expect.stringMatching(new RegExp(`^  ${root}: missing`))]);
      expect(await syncGenerator(tree)).toBeUndefined();
    });
  });

  it('a second run changes nothing', async () => {
    edit(tree, AIRFLOW, '  - postgresql\n', '  - postgresql\n  - sealed-secrets\n');
    edit(tree, AIRFLOW_STAGING_VERSION, /version: \d.*/, 'version: 1.22.99');
    tree.delete(`${CL}/production/flux/kafka-cluster.yaml`);
    for (const f of tree.listChanges().map((c) => c.path))
      if (f.startsWith('gitops/components/data-plane/kafka-cluster/overlays/development/')) tree.delete(f);
    expect(await syncGenerator(tree)).toBeDefined();
    const once = snapshot(tree);
    expect(await syncGenerator(tree)).toBeUndefined();
    expect(changedFiles(once, snapshot(tree))).toEqual([]);
  });
});

describe('sync generator outside a GitOps tree', () => {
  it('does nothing in a workspace without gitops/platform.yaml', async () => {
    const tree = await createGitopsTree([]);
    expect(await syncGenerator(tree)).toBeUndefined();
    expect(tree.listChanges().filter((c) => c.path.startsWith('gitops/'))).toEqual([]);
  });
});

describe('sync generator on the committed live tree', () => {
  it('changes nothing: gitops/ is in sync with its sources of truth', async () => {
    const tree = new FsTree(workspaceRoot, false);
    expect(await syncGenerator(tree)).toBeUndefined();
    expect(tree.listChanges()).toEqual([]);
  });
});
