/**
 * Stage 7, drift: a derived file (an environment's entry points, Flux Kustomizations, Argo CD
 * Applications and AppProjects) that differs from what derive gives for the tree's sources of
 * truth fails, naming the file, the field, the value found and the one expected. The same
 * derive and reconcile that `nx sync` runs, in check mode. Layout mode only.
 */
import { deriveTree, describeDrift, Drift, readTreeModel, reconcile, TreeView } from '../../derive/index';
import { FileReader } from '../file-reader';
import { Finding } from '../types';

/** The validation FileReader as the view derive reads. */
export function readerView(reader: FileReader): TreeView {
  return {
    read: (path) => (reader.isFile(path) ? reader.read(path) : null),
    isFile: (path) => reader.isFile(path),
    children: (dir) => (reader.isDirectory(dir) ? [...reader.listDirs(dir), ...directFiles(reader, dir)].sort() : []),
  };
}

function directFiles(reader: FileReader, dir: string): string[] {
  const prefix = dir ? `${dir}/` : '';
  return reader
    .listFiles(dir)
    .map((f) => f.slice(prefix.length))
    .filter((f) => !f.includes('/'));
}

export function checkDrift(reader: FileReader): Finding[] {
  const view = readerView(reader);
  const desired = deriveTree(view, readTreeModel(view));
  return reconcile(view, desired.files, desired.obsolete).drift.map(toFinding);
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
