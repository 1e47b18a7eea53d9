/**
 * The read-only view of a workspace that derive and reconcile work on: the Nx Tree in generators
 * and `nx sync`, the validation FileReader in `validate`. Paths are POSIX, relative to the root.
 */
import { componentFile, DirectoryLister, environmentFile, listComponentDirs, listEnvironmentDirs, platformFile } from '../model/layout';
import { attachComponentParts, buildTreeModel, SourceFile, TreeModel } from '../model/tree-model';

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

/**
 * The tree model with everything derive needs: the configuration files, read now, and each base's
 * chart and each overlay's version, read on first use (model/tree-model.ts attachComponentParts).
 */
export function readTreeModel(view: TreeView): TreeModel {
  const paths = [
    platformFile(),
    ...listEnvironmentDirs(view).map((env) => environmentFile(env)),
    ...listComponentDirs(view).map(({ layer, component }) => componentFile(layer, component)),
  ];
  const files: SourceFile[] = [];
  for (const path of paths) {
    const text = view.read(path);
    if (text !== null) files.push({ path, text });
  }
  const model = buildTreeModel(files);
  attachComponentParts(model, view);
  return model;
}
