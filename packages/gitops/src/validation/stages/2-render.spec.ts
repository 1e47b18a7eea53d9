import { memoryReader } from '../file-reader';
import { LoadedTree } from './1-load';
import { batchSizeFor, dirsToRender, kustomizeError, planBatches } from './2-render';

const K = (resources: string[]) => `resources: [${resources.join(', ')}]\n`;

/** Two components whose overlays include their own base, and a shared base both staging overlays include. */
const tree = () =>
  new LoadedTree(
    memoryReader({
      'a/base/kustomization.yaml': K([]),
      'a/prod/kustomization.yaml': K(['../base']),
      'a/staging/kustomization.yaml': K(['../base', '../../shared']),
      'b/base/kustomization.yaml': K([]),
      'b/prod/kustomization.yaml': K(['../base']),
      'b/staging/kustomization.yaml': K(['../base', '../../shared']),
      'shared/kustomization.yaml': K([]),
      'notes/readme.yaml': 'a: 1\n',
    }),
  );

describe('stage 2, render planning (no kubectl needed)', () => {
  it('does not render on its own a directory that another requested one includes', () => {
    expect(dirsToRender(tree(), ['a/base', 'a/prod', 'shared', 'a/staging', 'notes'])).toEqual(['a/prod', 'a/staging']);
  });

  it('never puts two directories that include the same kustomization in one kustomize process', () => {
    const batches = planBatches(tree(), ['a/prod', 'a/staging', 'b/prod', 'b/staging'], () => 'all');
    expect(batches).toEqual([['a/prod', 'b/prod'], ['a/staging'], ['b/staging']]);
  });

  it('cuts batches into even pieces so a pool of processes finishes together', () => {
    const t = tree();
    const dirs = ['a/prod', 'b/prod'];
    expect(planBatches(t, dirs, () => 'all', 1)).toEqual([['a/prod'], ['b/prod']]);
    expect(batchSizeFor(903, 2)).toBe(151);
    expect(batchSizeFor(10, 2)).toBe(25);
  });

  it("turns kubectl's one-line error into a sentence without the temporary paths", () => {
    const stderr = 'E1121 21:44:27.467835 5682 run.go:72] "command failed" err="accumulating resources: \'/repo/apps/x\': no such file"\n';
    expect(kustomizeError(stderr, '/repo', '/tmp/w')).toBe("accumulating resources: 'apps/x': no such file.");
  });

  it("keeps every line of kubectl's multi-line error, not just the closing one", () => {
    const stderr = [
      'E1201 22:23:38.337865 4747 run.go:72] "command failed" err=<',
      "\taccumulating resources: accumulation err='accumulating resources from 'https://example.com/x': fatal: unable to access 'https://example.com/x': Could not resolve host: example.com",
      '\t: exit status 128',
      ' >',
      '',
    ].join('\n');
    expect(kustomizeError(stderr, '/repo', '/tmp/w')).toBe(
      "accumulating resources: accumulation err='accumulating resources from 'https://example.com/x': fatal: unable to access 'https://example.com/x': Could not resolve host: example.com\n: exit status 128.",
    );
  });
});
