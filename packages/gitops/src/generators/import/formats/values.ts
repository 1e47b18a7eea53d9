/** Helm's merge of values files: maps merge key by key, later files win, anything else is replaced; a null removes the key. */
import { parseYamlFile } from '../../../model/yaml-io';
import { SkipItem, SourceFiles } from './source';
import { isMapping } from './yaml-source';

export type Values = Record<string, unknown>;

export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isMapping(value) && isMapping(out[key])) out[key] = mergeValues(out[key] as Values, value);
    else out[key] = value;
  }
  return out;
}

export function mergeAll(layers: Values[]): Values {
  return layers.reduce((acc, v) => mergeValues(acc, v), {});
}

/** A values file as a mapping; a missing file, a syntax error or a non-mapping skips the item that reads it. */
export function readValuesFile(files: SourceFiles, path: string): Values {
  const text = files.read(path);
  if (text === null) throw new SkipItem(`values file ${path} does not exist`);
  const parsed = parseYamlFile(path, text);
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
