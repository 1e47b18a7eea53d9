/** Recognises a source's format (unless --format says it) and reads it with the reader of that format. */
import { posix } from 'node:path';
import { Tree } from '@nx/devkit';
import { GitopsInputError, ImportFormat } from '../../model/vocabulary';
import { parseYamlFile } from '../../model/yaml-io';
import { readText } from '../shared/workspace';
import { readAnsible } from './formats/ansible';
import { readHelmfile } from './formats/helmfile';
import { ParsedSource, SourceFiles } from './formats/source';
import { readValuesDir, ValuesDirOptions } from './formats/values-dir';
import { isMapping } from './formats/yaml-source';

const HELMFILE_KEYS = ['releases', 'repositories', 'environments', 'helmDefaults', 'bases'];

export function sourceFiles(tree: Tree): SourceFiles {
  return { read: (p) => readText(tree, p), children: (d) => tree.children(d), isFile: (p) => tree.isFile(p) };
}

/** A folder is a values folder; a YAML list is Ansible (plays or tasks); a mapping with releases (or a helmfile* name) is a helmfile. */
export function detectFormat(files: SourceFiles, path: string): ImportFormat {
  if (!files.isFile(path)) return 'values-dir';
  const parsed = parseYamlFile(path, files.read(path) ?? '');
  const value = parsed.documents[0]?.value;
  if (Array.isArray(value)) return 'ansible';
  if (
    /^helmfile/.test(posix.basename(path)) ||
    parsed.documents.some((d) => isMapping(d.value) && HELMFILE_KEYS.some((k) => k in (d.value as object)))
  ) {
    return 'helmfile';
  }
  throw new GitopsInputError(
    `${path} is neither an Ansible playbook or tasks file (a YAML list) nor a helmfile (a mapping with releases); give --format, one of: ansible, helmfile, values-dir.`,
  );
}

export function readSource(files: SourceFiles, path: string, format: ImportFormat, valuesDir: ValuesDirOptions): ParsedSource {
  const isFile = files.isFile(path);
  if (format === 'values-dir') {
    if (isFile) throw new GitopsInputError(`--format values-dir needs a folder; ${path} is a file.`);
    return readValuesDir(files, path, valuesDir);
  }
  if (!isFile) throw new GitopsInputError(`--format ${format} needs a file; ${path} is a folder.`);
  return format === 'ansible' ? readAnsible(files, path) : readHelmfile(files, path);
}
