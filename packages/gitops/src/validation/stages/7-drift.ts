/**
 * Stage 7, drift: a derived file (an environment's entry points, Flux Kustomizations, Argo CD
 * Applications and AppProjects) that differs from what derive gives for the tree's sources of
 * truth fails, naming the file, the field, the value found and the one expected. The same
 * derive and reconcile that `nx sync` runs, in check mode. Layout mode only.
 */
import { deriveTree, describeDrift, Drift, readTreeModel, reconcile, TreeView } from '../../derive/index';
import type { TreeModel } from '../../model/tree-model';
import type { Document } from 'yaml';
import type { ParsedYamlFile } from '../../model/yaml-io';
import { posix } from 'node:path';
import { environmentEntry } from '../../model/layout';
import { FileReader } from '../file-reader';
import { Finding } from '../types';

/** The validation FileReader as the view derive reads. */
export function readerView(reader: FileReader): TreeView {
  return {
    read: (path) => (reader.isFile(path) ? reader.read(path) : null),
    isFile: (path) => reader.isFile(path),
    children: (dir) => reader.listEntries(dir),
  };
}

/**
 * The drift of the derived files of the environments among `targets` (their entry folders): a
 * derived file belongs to its environment's project, so a run that validates no environment
 * checks none, and an affected run reads only the derived files of the environments it covers.
 */
export function checkDrift(tree: ParsedFiles, model: TreeModel, targets: string[]): Finding[] {
  const view = readerView(tree.reader);
  const desired = deriveTree(view, model);
  // A workspace-level file (.sops.yaml) belongs to the environments it serves: the first of them validated here reports it.
  const owners = new Map<string, string>();
  const targetSet = new Set(targets);
  const inScope = ({ path, environments }: { path: string; environments?: string[] }) => {
    for (let dir = posix.dirname(path); dir !== '.' && dir !== '/'; dir = posix.dirname(dir)) if (targetSet.has(dir)) return true;
    const owner = environments?.map((e) => environmentEntry(e, model.root)).find((dir) => targetSet.has(dir));
    if (owner !== undefined) owners.set(path, owner);
    return owner !== undefined;
  };
  const plan = reconcile(view, desired.files.filter(inScope), desired.obsolete.filter(inScope), {
    check: true,
    values: (path) => {
      const f = tree.file(path);
      return f && f.errors.length === 0 ? f.documents.map((d) => d.value) : undefined;
    },
    parsed: (path) => parsedOnce(tree, path),
  });
  return plan.drift.map((d) => ({ ...toFinding(d), target: owners.get(d.file) ?? '' }));
}

/** What drift needs of the loaded tree: the reader, and each YAML file as stage 1 parsed it (parsed once per run). */
export interface ParsedFiles {
  reader: FileReader;
  file(path: string): ParsedYamlFile | undefined;
}

function parsedOnce(tree: ParsedFiles, path: string) {
  const f = tree.file(path);
  return f && f.errors.length === 0 ? { docs: f.documents.map((d) => d.doc as Document), lineCounter: f.lineCounter } : undefined;
}

function toFinding(d: Drift): Finding {
  return {
    target: '',
    file: d.file,
    line: d.line,
    rule: 'derived-drift',
    severity: 'error',
    message: describeDrift(d).slice(d.file.length + (d.kind === 'field' ? `:${d.line}`.length : 0) + 2),
    hint: 'Run `npx nx sync` to re-derive it from its sources of truth (and commit the result).',
  };
}

/** The tree model of a layout tree, as derive reads it (for the stages that need the component model). */
export function layoutModel(reader: FileReader): TreeModel {
  return readTreeModel(readerView(reader));
}
