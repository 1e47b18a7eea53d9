/**
 * component.yaml, the one place of a component's kind, namespace and dependencies, read by one
 * parser with one strictness: the tree model records its problems (graph and validation go on
 * with the rest of the tree), the generators refuse to work on a component that has any.
 */
import { COMPONENT_KINDS, ComponentKind } from './vocabulary';
import { keyLineOf, lineOf, parseYamlFile } from './yaml-io';

export interface DependencyDeclaration {
  name: string;
  /** Line of the entry in component.yaml (1-based). */
  line: number;
}

export interface ComponentConfig {
  name?: string;
  description?: string;
  /** `helm` when the file does not say (or says something invalid, reported as a problem). */
  kind: ComponentKind;
  namespace?: string;
  /** The Helm release name, when it is not the component's name (after a rename or an import). */
  releaseName?: string;
  dependsOn: DependencyDeclaration[];
}

export interface ConfigProblem {
  file: string;
  line: number;
  /** `yaml-syntax` (the file does not parse) or `config-invalid` (a key holds a value it must not). */
  rule: 'yaml-syntax' | 'config-invalid';
  message: string;
}

export interface ParsedComponentConfig {
  /** Undefined only when the file does not parse. */
  config?: ComponentConfig;
  problems: ConfigProblem[];
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** Parses component.yaml; every value that is not what the key allows is a problem with its line. */
export function parseComponentConfig(path: string, text: string): ParsedComponentConfig {
  const parsed = parseYamlFile(path, text);
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    return {
      problems: [{ file: path, line: e.line, rule: 'yaml-syntax', message: e.message }],
    };
  }
  const problems: ConfigProblem[] = [];
  const invalid = (key: (string | number)[], message: string) =>
    problems.push({
      file: path,
      line: keyLineOf(parsed, 0, key),
      rule: 'config-invalid',
      message,
    });
  const value = parsed.documents[0]?.value ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid([], `${path} must be a mapping with kind, namespace and dependsOn; got ${describe(value)}.`);
    return { config: { kind: 'helm', dependsOn: [] }, problems };
  }
  const raw = value as Record<string, unknown>;
  const config: ComponentConfig = { kind: 'helm', dependsOn: [] };
  for (const key of ['name', 'description', 'namespace', 'releaseName'] as const) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] === 'string') config[key] = raw[key] as string;
    else invalid([key], `'${key}' must be a string; got ${describe(raw[key])}.`);
  }
  if (raw.kind !== undefined) {
    if ((COMPONENT_KINDS as readonly unknown[]).includes(raw.kind)) config.kind = raw.kind as ComponentKind;
    else invalid(['kind'], `Kind ${describe(raw.kind)} is not allowed; must be one of: ${COMPONENT_KINDS.join(', ')}.`);
  }
  if (raw.dependsOn !== undefined && raw.dependsOn !== null) {
    if (!Array.isArray(raw.dependsOn)) {
      invalid(
        ['dependsOn'],
        `'dependsOn' must be a list of component names; got ${describe(raw.dependsOn)}. Write it as a list, e.g. 'dependsOn: [${String(raw.dependsOn)}]'.`,
      );
    } else {
      raw.dependsOn.forEach((d, i) => {
        if (typeof d === 'string' && d !== '')
          config.dependsOn.push({
            name: d,
            line: lineOf(parsed, 0, ['dependsOn', i]),
          });
        else invalid(['dependsOn', i], `'dependsOn' entries must be component names; got ${describe(d)}.`);
      });
    }
  }
  return { config, problems };
}
