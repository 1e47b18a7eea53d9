import { COMPONENT_FILE_GLOB, ENVIRONMENT_FILE_GLOB, GITOPS_FILES_GLOB, listComponentDirs, listEnvironmentDirs, parseComponentFile } from './layout';

/** A file tree in memory: paths of files. */
function lister(paths: string[]) {
  return {
    children: (dir: string) => [...new Set(paths.filter((p) => p.startsWith(`${dir}/`)).map((p) => p.slice(dir.length + 1).split('/')[0]))],
    isFile: (path: string) => paths.includes(path),
  };
}

describe('layout listings', () => {
  const files = lister([
    'gitops/components/orchestration/postgresql/component.yaml',
    'gitops/components/orchestration/notes/README.md',
    'gitops/components/data-plane/kafka-cluster/component.yaml',
    'gitops/clusters/staging/environment.yaml',
    'gitops/clusters/development/environment.yaml',
    'gitops/clusters/scratch/kustomization.yaml',
  ]);

  it('lists the folders with a component.yaml, by layer then name', () => {
    expect(listComponentDirs(files)).toEqual([
      { layer: 'data-plane', component: 'kafka-cluster' },
      { layer: 'orchestration', component: 'postgresql' },
    ]);
  });

  it('lists the folders with an environment.yaml, sorted', () => {
    expect(listEnvironmentDirs(files)).toEqual(['development', 'staging']);
  });

  it('globs match what the path parsers recognise', () => {
    expect(COMPONENT_FILE_GLOB).toBe('**/components/*/*/component.yaml');
    expect(ENVIRONMENT_FILE_GLOB).toBe('**/clusters/*/environment.yaml');
    expect(GITOPS_FILES_GLOB).toBe('gitops/{components/*/*/component.yaml,clusters/*/environment.yaml,platform.yaml}');
    expect(parseComponentFile('gitops/components/orchestration/postgresql/component.yaml')).toEqual({
      layer: 'orchestration',
      component: 'postgresql',
    });
  });
});
