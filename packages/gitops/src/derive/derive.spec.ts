/**
 * derive and reconcile as pure functions over a tree the real generators wrote: what is derived,
 * what the tool owns (and deletes), what is a person's and stays, and what drift says.
 */
import { Tree } from '@nx/devkit';
import { createPlatformTree } from '../generators/shared/testing';
import { treeView } from '../generators/shared/workspace';
import { deriveTree, describeDrift, readTreeModel, reconcile } from './index';

const CL = 'gitops/clusters';
/** What Argo CD derives in staging for the platform of these specs. */
const STAGING_ARGOCD_FILES = [
  `${CL}/staging/argocd/apps/airflow.yaml`,
  `${CL}/staging/argocd/apps/cloudnative-pg.yaml`,
  `${CL}/staging/argocd/apps/platform-secrets.yaml`,
  `${CL}/staging/argocd/apps/postgresql.yaml`,
  `${CL}/staging/argocd/apps/project-orchestration.yaml`,
  `${CL}/staging/argocd/apps/project-platform-operators.yaml`,
  `${CL}/staging/argocd/apps/project-platform-secrets.yaml`,
  `${CL}/staging/argocd/argocd-cm.yaml`,
  `${CL}/staging/argocd/root.yaml`,
];

function plan(tree: Tree) {
  const view = treeView(tree);
  const desired = deriveTree(view, readTreeModel(view));
  return { desired, ...reconcile(view, desired.files, desired.obsolete) };
}

describe('derive', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = await createPlatformTree(['cloudnative-pg', 'postgresql', 'airflow'], { production: false });
  }, 60_000);

  it('gives exactly the derived files the generators wrote, so reconcile has nothing to do', () => {
    const { desired, changes, drift } = plan(tree);
    expect(changes).toEqual([]);
    expect(drift).toEqual([]);
    // airflow declares three Secrets and postgresql the login MLflow uses; External Secrets provides each in the staging secrets folder.
    const secretFiles = [
      'kustomization',
      'orchestration.airflow-api-secret-key',
      'orchestration.airflow-fernet-key',
      'orchestration.airflow-jwt-secret',
      'orchestration.mlflow-postgres',
    ].map((f) => `${CL}/staging/secrets/${f}.yaml`);
    expect(
      desired.files
        .map((f) => f.path)
        .filter((p) => p.startsWith(`${CL}/staging/`))
        .sort(),
    ).toEqual([
      ...STAGING_ARGOCD_FILES,
      `${CL}/staging/flux/airflow.yaml`,
      `${CL}/staging/flux/cloudnative-pg.yaml`,
      `${CL}/staging/flux/platform-secrets.yaml`,
      `${CL}/staging/flux/postgresql.yaml`,
      `${CL}/staging/kustomization.yaml`,
      `${CL}/staging/namespaces.yaml`,
      ...secretFiles,
    ]);
  });

  it("orders Argo CD sync waves by dependencies: after each dependency, never before the layer's order", () => {
    const wave = (c: string) =>
      plan(tree).desired.files.find((f) => f.path === `${CL}/staging/argocd/apps/${c}.yaml`)!.documents[0].object.metadata as {
        annotations: Record<string, string>;
      };
    expect(['cloudnative-pg', 'postgresql', 'airflow'].map((c) => wave(c).annotations['argocd.argoproj.io/sync-wave'])).toEqual(['1', '3', '4']);
  });

  it('owns the files it labelled: one for a component that is gone is obsolete, with the reason', () => {
    tree.write(`${CL}/development/flux/feast.yaml`, tree.read(`${CL}/development/flux/airflow.yaml`, 'utf-8')!.replace(/airflow/g, 'feast'));
    const { desired, drift } = plan(tree);
    expect(desired.obsolete).toEqual([
      { path: `${CL}/development/flux/feast.yaml`, reason: expect.stringContaining('no component deployed in development needs it') },
    ]);
    expect(drift.map(describeDrift)).toContain(`${CL}/development/flux/feast.yaml: should not exist: ${desired.obsolete[0].reason}`);
  });

  it("leaves a person's Flux Kustomization alone and lists it in the entry point", () => {
    const own = `${CL}/development/flux/team-tools.yaml`;
    tree.write(
      own,
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: team-tools\nspec:\n  path: ./tools\n  targetNamespace: tools\n',
    );
    const { desired, changes } = plan(tree);
    expect(desired.obsolete).toEqual([]);
    expect(changes.map((c) => c.path).sort()).toEqual([`${CL}/development/kustomization.yaml`, `${CL}/development/namespaces.yaml`]);
    expect(changes.find((c) => c.path.endsWith('kustomization.yaml'))!.text).toContain('- flux/team-tools.yaml');
  });

  it('deletes the files of an engine the environment no longer lists', () => {
    const settings = `${CL}/staging/environment.yaml`;
    tree.write(settings, tree.read(settings, 'utf-8')!.replace(/engines:\n {2}- flux\n {2}- argocd\n/, 'engines:\n  - flux\n'));
    const { desired } = plan(tree);
    expect(desired.obsolete.map((o) => o.path).sort()).toEqual([...STAGING_ARGOCD_FILES]);
    expect(desired.obsolete[0].reason).toBe(`${settings} engines does not list argocd`);
  });
});

describe('reconcile', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = await createPlatformTree(['cloudnative-pg', 'postgresql', 'airflow'], { production: false });
  }, 60_000);
  const flux = `${CL}/staging/flux/airflow.yaml`;

  it('keeps a hand edit of a field it does not derive, and its comment', () => {
    tree.write(flux, tree.read(flux, 'utf-8')!.replace('  interval: 10m\n', '  # the team watches this one\n  interval: 1m\n'));
    expect(plan(tree).changes).toEqual([]);
  });

  it('sees no drift in a mapping whose keys a person reordered', () => {
    tree.write(
      flux,
      tree.read(flux, 'utf-8')!.replace(/ {4}kind: GitRepository\n {4}name: flux-system\n/, '    name: flux-system\n    kind: GitRepository\n'),
    );
    expect(plan(tree).drift).toEqual([]);
  });

  it('names the file, the line, the field, the value found, the one expected and its source', () => {
    const text = tree.read(flux, 'utf-8')!;
    tree.write(flux, text.replace('  prune: true\n', '  prune: false\n'));
    const line = text.split('\n').findIndex((l) => l === '  prune: true') + 1;
    expect(plan(tree).drift).toEqual([
      { file: flux, line, kind: 'field', field: 'spec.prune', found: 'false', expected: 'true', source: `${CL}/staging/environment.yaml prune` },
    ]);
  });
});
