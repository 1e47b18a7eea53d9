import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTreeModel } from '../model/tree-model';
import { memoisedTreeModel } from './model-memo';

const ROOT = { root: 'gitops' };
const PLATFORM = {
  path: 'gitops/platform.yaml',
  text: 'repository: {url: https://example.com/p.git, branch: main}\ndefaultEngine: flux\nlayers:\n  - {name: orchestration, order: 3, namespace: orchestration}\n',
};
const AIRFLOW = { path: 'gitops/components/orchestration/airflow/component.yaml', text: 'kind: helm\ndependsOn: [postgresql]\n' };
const STAGING = { path: 'gitops/clusters/staging/environment.yaml', text: 'engine: flux\nsync: auto\n' };

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'model-memo-spec-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('model memo', () => {
  it('gives the model of the same texts back from the file, equal to a freshly built one', () => {
    const file = join(dir, 'tree-model.json');
    const sources = [PLATFORM, AIRFLOW, STAGING];
    memoisedTreeModel(sources, ROOT, file);

    const again = memoisedTreeModel(sources, ROOT, file);

    expect(again).toEqual(buildTreeModel(sources, ROOT));
    expect(again.components.get('airflow')?.dependsOn).toEqual([{ name: 'postgresql', file: AIRFLOW.path, line: 2 }]);
  });

  it('rebuilds when a text changed, and when the file is corrupted', () => {
    const file = join(dir, 'tree-model.json');
    memoisedTreeModel([PLATFORM, AIRFLOW, STAGING], ROOT, file);

    const changed = memoisedTreeModel([PLATFORM, { ...AIRFLOW, text: 'kind: helm\ndependsOn: [redis]\n' }, STAGING], ROOT, file);
    writeFileSync(file, '{"format": "mlops-gitops-model-memo/1", "key": ');
    const afterCorruption = memoisedTreeModel([PLATFORM, AIRFLOW, STAGING], ROOT, file);

    expect(changed.components.get('airflow')?.dependsOn.map((d) => d.name)).toEqual(['redis']);
    expect(afterCorruption).toEqual(buildTreeModel([PLATFORM, AIRFLOW, STAGING], ROOT));
  });

  it('does not reuse a memo written before environments carried their resolved settings', () => {
    const file = join(dir, 'tree-model.json');
    const production = { path: 'gitops/clusters/production/environment.yaml', text: 'engine: flux\n' };
    const sources = [PLATFORM, production];
    // What the first format stored for these texts: the environment as written, nothing resolved.
    const format = 'mlops-gitops-model-memo/1';
    const hash = createHash('sha256').update(format).update('\0').update(ROOT.root);
    for (const s of sources) hash.update('\0').update(s.path).update('\0').update(s.text);
    const { environments, components, ...rest } = buildTreeModel(sources, ROOT);
    const old = [...environments].map(([name, { resolved: _resolved, ...e }]) => [name, e]);
    writeFileSync(file, JSON.stringify({ format, key: hash.digest('hex'), model: { ...rest, components: [...components], environments: old } }));

    const model = memoisedTreeModel(sources, ROOT, file);

    expect(model.environments.get('production')?.resolved).toMatchObject({ sync: 'manual', pinVersions: true, size: 'large' });
  });
});
