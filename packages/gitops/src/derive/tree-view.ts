/**
 * The read-only view of a workspace that derive and reconcile work on: the Nx Tree in generators
 * and `nx sync`, the validation FileReader in `validate`. Paths are POSIX, relative to the root.
 */
import {
  componentFile,
  componentModelFiles,
  DirectoryLister,
  environmentFile,
  listComponentDirs,
  listEnvironmentDirs,
  overlaysDir,
  platformFile,
} from '../model/layout';
import { buildTreeModel, SourceFile, TreeModel } from '../model/tree-model';

export interface TreeView extends DirectoryLister {
  /** The file's text, or null when it does not exist. */
  read(path: string): string | null;
}

/** The YAML files directly in `dir` (names), sorted. */
export function yamlFilesIn(view: TreeView, dir: string): string[] {
  return view
    .children(dir)
    .filter((f) => f.endsWith('.yaml') && view.isFile(`${dir}/${f}`))
    .sort();
}

/** The tree model with everything derive needs: the configuration files, each base's chart and each overlay's version. */
export function readTreeModel(view: TreeView): TreeModel {
  const envs = listEnvironmentDirs(view);
  const paths = [
    platformFile(),
    ...envs.map((env) => environmentFile(env)),
    ...listComponentDirs(view).flatMap(({ layer, component }) => [
      componentFile(layer, component),
      ...componentModelFiles(layer, component, overlayEnvs(view, layer, component)),
    ]),
  ];
  const files: SourceFile[] = [];
  for (const path of paths) {
    const text = view.read(path);
    if (text !== null) files.push({ path, text });
  }
  return buildTreeModel(files);
}

/** The overlay folders a component has (any name: an overlay for an environment that does not exist is still read). */
function overlayEnvs(view: TreeView, layer: string, component: string): string[] {
  const dir = overlaysDir(layer, component);
  return view.children(dir).filter((env) => !view.isFile(`${dir}/${env}`));
}
