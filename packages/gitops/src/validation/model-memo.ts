/**
 * The tree model of the last run (platform.yaml, every component.yaml and
 * environment.yaml, parsed), kept beside the render memo under a hash of
 * those files' paths and texts: a run on an unchanged tree reads and hashes
 * them, and does not parse them again. One file, replaced atomically
 * (temporary file + rename); a file that does not parse, or is for other
 * texts, is ignored.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TreeRoot } from '../model/layout';
import type { Component, Overlay } from '../model/component';
import { buildTreeModel, SourceFile, TreeModel } from '../model/tree-model';

/** Bumped whenever the model's shape changes (2: environments carry `resolved`; 3: the one component model), so older memos are rebuilt. */
const FORMAT = 'mlops-gitops-model-memo/3';

type StoredComponent = Omit<Component, 'overlays'> & { overlays: [string, Overlay][] };

interface Stored {
  format: string;
  key: string;
  model: Omit<TreeModel, 'components' | 'environments'> & {
    components: [string, StoredComponent][];
    environments: [string, TreeModel['environments'] extends Map<string, infer E> ? E : never][];
  };
}

/** The model of `sources`, from `file` when it holds the model of the same texts, else built (and stored there). */
export function memoisedTreeModel(sources: SourceFile[], root: TreeRoot, file: string): TreeModel {
  const hash = createHash('sha256').update(FORMAT).update('\0').update(root.root);
  for (const s of sources) hash.update('\0').update(s.path).update('\0').update(s.text);
  const key = hash.digest('hex');
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Stored;
    if (stored.format === FORMAT && stored.key === key) {
      const components = stored.model.components.map(([name, c]): [string, Component] => [name, { ...c, overlays: new Map(c.overlays) }]);
      return { ...stored.model, components: new Map(components), environments: new Map(stored.model.environments) };
    }
  } catch {
    // missing or corrupted: build it
  }
  const model = buildTreeModel(sources, root);
  try {
    const components = [...model.components].map(([name, c]): [string, StoredComponent] => [name, { ...c, overlays: [...c.overlays] }]);
    const stored: Stored = { format: FORMAT, key, model: { ...model, components, environments: [...model.environments] } };
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(stored));
    renameSync(temp, file);
  } catch {
    // A memo that cannot be written only costs speed.
  }
  return model;
}

/** Where a run whose renders are memoised in `renderCacheDir` keeps the model. */
export function modelMemoFile(renderCacheDir: string): string {
  return join(dirname(renderCacheDir), 'tree-model.json');
}
