import { memoryReader } from '../file-reader';
import { LoadedTree } from './1-load';
import { placeIn, Subject } from './subject';

const RELEASE = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'web' } };

/** A base HelmRelease and a staging overlay that patches it three ways. */
function tree(): LoadedTree {
  return new LoadedTree(
    memoryReader({
      'web/base/kustomization.yaml': 'resources: [release.yaml]\n',
      'web/base/release.yaml':
        'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: web\n',
      'web/staging/kustomization.yaml': [
        'resources: [../base]',
        'patches:',
        '  - path: version.yaml',
        '  - target: {kind: HelmRelease, name: web}',
        '    patch: |',
        '      - op: add',
        '        path: /spec/timeout',
        '        value: fifty',
        '',
      ].join('\n'),
      'web/staging/version.yaml':
        'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  chart:\n    spec:\n      versoin: 1.2.x\n',
    }),
  );
}

/** The rendered object as kustomize gives it: the base with the patches applied. */
const subject: Subject = {
  object: { ...RELEASE, spec: { interval: '10m', timeout: 'fifty', chart: { spec: { chart: 'web', versoin: '1.2.x' } } } },
  file: 'web/base/release.yaml',
  documentIndex: 0,
  dir: 'web/staging',
  scope: 'staging',
};

describe('where a field of a rendered object is written', () => {
  it('is the patch file that sets it, at its line', () => {
    expect(placeIn(tree(), subject, ['spec', 'chart', 'spec', 'versoin'])).toEqual({ file: 'web/staging/version.yaml', line: 8 });
  });

  it('is the inline JSON 6902 operation that sets it, at its line in the kustomization', () => {
    expect(placeIn(tree(), subject, ['spec', 'timeout'])).toEqual({ file: 'web/staging/kustomization.yaml', line: 8 });
  });

  it('is the base for what no patch sets, and for an object a patch only touches part of', () => {
    expect(placeIn(tree(), subject, ['spec', 'interval'])).toEqual({ file: 'web/base/release.yaml', line: 6 });
    expect(placeIn(tree(), subject, ['spec', 'chart', 'spec'])).toEqual({ file: 'web/base/release.yaml', line: 8 });
  });
});
