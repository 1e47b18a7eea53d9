import { planLayout } from '../plan';
import { AIRFLOW, layoutRequest, layoutTree, MLFLOW } from '../testing';
import { LoadedTree } from './1-load';
import { checkConfiguration } from './configuration';

/** The configuration findings of a run over `targets`, on the tree model its plan read. */
function configurationOf(tree: LoadedTree, targets: string[]) {
  return checkConfiguration(tree, planLayout(tree, layoutRequest(targets)).model!, targets);
}

describe('checkConfiguration: environment settings', () => {
  it('reports production that syncs automatically or floats versions at the line of the key', () => {
    const tree = layoutTree({ production: '# production settings\nengine: flux\nsync: auto\nprune: true\npinVersions: false\n' });
    expect(configurationOf(tree, ['gitops/clusters/production'])).toEqual([
      expect.objectContaining({
        rule: 'production-auto-sync',
        file: 'gitops/clusters/production/environment.yaml',
        line: 3,
        message: expect.stringContaining("sets sync 'auto'"),
      }),
      expect.objectContaining({
        rule: 'production-unpinned',
        file: 'gitops/clusters/production/environment.yaml',
        line: 5,
        message: expect.stringContaining('sets pinVersions false'),
      }),
    ]);
  });

  it('reports an environment setting the engines cannot read, quoting it and the allowed values, at its line', () => {
    const tree = layoutTree({ development: 'engine: flux\nsync: sometimes\n' });
    expect(configurationOf(tree, ['gitops/clusters/development'])).toEqual([
      expect.objectContaining({
        rule: 'config-invalid',
        file: 'gitops/clusters/development/environment.yaml',
        line: 2,
        message: "Sync mode in gitops/clusters/development/environment.yaml 'sometimes' is not allowed; must be one of: auto, manual.",
      }),
    ]);
  });
});

describe('checkConfiguration: problems of the configuration files', () => {
  const broken = { [`${MLFLOW}/component.yaml`]: 'kind: helm\ndependsOn: [postgresql\n' };

  it("does not fail a component for a syntax error in another component's component.yaml (not among its inputs)", () => {
    expect(configurationOf(layoutTree({}, broken), [AIRFLOW])).toEqual([]);
  });

  it('gives the syntax error to the component whose component.yaml it is, also in a batch with others', () => {
    expect(configurationOf(layoutTree({}, broken), [AIRFLOW, MLFLOW])).toEqual([
      expect.objectContaining({ target: MLFLOW, file: `${MLFLOW}/component.yaml`, rule: 'yaml-syntax' }),
    ]);
  });

  it("reports a value component.yaml must not hold as config-invalid of that component, at the key's line, quoting it and the allowed kinds", () => {
    const files = { [`${MLFLOW}/component.yaml`]: '# mlflow\nnamespace: orchestration\nkind: chart\n' };
    expect(configurationOf(layoutTree({}, files), [AIRFLOW])).toEqual([]);
    expect(configurationOf(layoutTree({}, files), [MLFLOW, 'gitops/clusters/production'])).toEqual([
      {
        target: MLFLOW,
        file: `${MLFLOW}/component.yaml`,
        line: 3,
        rule: 'config-invalid',
        severity: 'error',
        message: "Kind 'chart' is not allowed; must be one of: helm, manifests.",
        hint: expect.any(String),
      },
    ]);
  });

  it('gives a problem of platform.yaml, an input of every target, to every requested target', () => {
    const platform = configurationOf(layoutTree({}, { 'gitops/platform.yaml': 'layers: [\n' }), [AIRFLOW, 'gitops/clusters/production']).filter(
      (f) => f.file === 'gitops/platform.yaml',
    );
    expect(platform.map((f) => [f.target, f.rule, f.line])).toEqual([
      [AIRFLOW, 'config-invalid', 1],
      ['gitops/clusters/production', 'config-invalid', 1],
    ]);
    expect(platform[0].message).not.toContain('is missing');
  });
});
