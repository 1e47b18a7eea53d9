/** Reading a source file for import: parsed once with its line positions; a file that does not parse is refused at its line. */
import { GitopsInputError } from '../../../model/vocabulary';
import { lineOf, parseYamlFile, ParsedYamlFile } from '../../../model/yaml-io';
import { SourceFiles } from './source';

export interface SourceDocument {
  parsed: ParsedYamlFile;
  /** The first document as plain data. */
  value: unknown;
  /** Line of the node at a path in the first document. */
  line(path: (string | number)[]): number;
}

export function readSourceFile(files: SourceFiles, path: string, what: string): SourceDocument {
  const text = files.read(path);
  if (text === null) throw new GitopsInputError(`${what} ${path} does not exist.`);
  const parsed = parseYamlFile(path, text);
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    throw new GitopsInputError(
      `${path}:${e.line}:${e.column}: ${e.message} (${what} must be plain YAML; templating outside quoted values is not imported).`,
    );
  }
  return { parsed, value: parsed.documents[0]?.value ?? null, line: (p) => lineOf(parsed, 0, p) };
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
