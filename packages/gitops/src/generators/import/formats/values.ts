/** A release's values files: read, checked, merged with Helm's rules. */
import { loadYamlFile } from '../../../model/yaml-io';
import { SkipItem, SourceFiles } from './source';
import { isMapping } from './yaml-source';

import { mergeValues, Values } from '../../../model/helm-values';

export type { Values };
/** The values files of a release in the order Helm applies them (model/helm-values.ts has the one merge). */
export const mergeAll = mergeValues;

/** A values file as a mapping; a missing file, a syntax error or a non-mapping skips the item that reads it. */
export function readValuesFile(files: SourceFiles, path: string): Values {
  const text = files.read(path);
  if (text === null) throw new SkipItem(`values file ${path} does not exist`);
  const parsed = loadYamlFile(path, text);
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    throw new SkipItem(`values file ${path}:${e.line}:${e.column} does not parse: ${e.message}`);
  }
  const value = parsed.documents[0]?.value ?? {};
  if (!isMapping(value)) throw new SkipItem(`values file ${path} must hold a mapping of chart values`);
  return value;
}

export function asValues(value: unknown, what: string): Values {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) throw new SkipItem(`${what} must be a mapping of chart values; got ${JSON.stringify(value)}`);
  return value;
}
