/**
 * component.yaml, the one place of a component's kind, namespace and dependencies, read by one
 * parser with one strictness: the tree model records its problems (graph and validation go on
 * with the rest of the tree), the generators refuse to work on a component that has any.
 */
import { assertDnsLabel, COMPONENT_KINDS, ComponentKind } from './vocabulary';
import { keyLineOf, lineOf, loadYamlFile } from './yaml-io';

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
  secrets: SecretEntry[];
}

/** A `secrets` entry as written (the namespace defaults to the component's later). */
export interface SecretEntry {
  name: string;
  namespace?: string;
  description?: string;
  keys: { name: string; description: string }[];
  providedBy?: string;
  line: number;
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

/**
 * Each content parsed once per process: a generator reads the tree model before its edit and again
 * when it reconciles, and only the files it edited differ. Callers copy what they keep.
 */
const parsedConfigs = new Map<string, ParsedComponentConfig>();
const MAX_PARSED_CONFIGS = 10_000;

/** Parses component.yaml; every value that is not what the key allows is a problem with its line. */
export function parseComponentConfig(path: string, text: string): ParsedComponentConfig {
  const key = `${path}\0${text}`;
  let result = parsedConfigs.get(key);
  if (!result) {
    if (parsedConfigs.size >= MAX_PARSED_CONFIGS) parsedConfigs.clear();
    result = parseConfigText(path, text);
    parsedConfigs.set(key, result);
  }
  return result;
}

/**
 * `entry` with a `line` read on first use: lines come from the second parse that loadYamlFile
 * makes on demand, which only findings need (generators read hundreds of component.yaml files and
 * never ask).
 */
export function withLine<T extends object>(entry: T, line: () => number): T & { line: number } {
  let known: number | undefined;
  return Object.defineProperty(entry, 'line', { get: () => (known ??= line()), enumerable: true, configurable: true }) as T & { line: number };
}

function parseConfigText(path: string, text: string): ParsedComponentConfig {
  // Plain data now, positions (a second parse) only when a line is asked for.
  const parsed = loadYamlFile(path, text);
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
    return { config: { kind: 'helm', dependsOn: [], secrets: [] }, problems };
  }
  const raw = value as Record<string, unknown>;
  const config: ComponentConfig = { kind: 'helm', dependsOn: [], secrets: [] };
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
        if (typeof d === 'string' && d !== '') config.dependsOn.push(withLine({ name: d }, () => lineOf(parsed, 0, ['dependsOn', i])));
        else invalid(['dependsOn', i], `'dependsOn' entries must be component names; got ${describe(d)}.`);
      });
    }
  }
  if (raw.secrets !== undefined && raw.secrets !== null) {
    if (!Array.isArray(raw.secrets)) invalid(['secrets'], `'secrets' must be a list of Secrets (name, keys); got ${describe(raw.secrets)}.`);
    else
      raw.secrets.forEach((entry, i) => {
        const secret = parseSecretEntry(entry);
        if (typeof secret === 'string') invalid(['secrets', i], secret);
        else config.secrets.push(withLine(secret, () => lineOf(parsed, 0, ['secrets', i])));
      });
  }
  return { config, problems };
}

/** One `secrets` entry, or what is wrong with it. */
export function parseSecretEntry(entry: unknown): Omit<SecretEntry, 'line'> | string {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry))
    return `A 'secrets' entry must be a mapping with name and keys; got ${describe(entry)}.`;
  const e = entry as Record<string, unknown>;
  try {
    assertDnsLabel('Secret name', String(e.name ?? ''));
    if (e.namespace !== undefined) assertDnsLabel(`Namespace of Secret '${String(e.name)}'`, String(e.namespace));
  } catch (err) {
    return (err as Error).message;
  }
  const keys = e.keys;
  if (!keys || typeof keys !== 'object' || Array.isArray(keys) || Object.keys(keys).length === 0) {
    return `Secret '${String(e.name)}' must list its keys as a mapping of key to what it holds, e.g. 'keys: {password: the admin password}'.`;
  }
  const out: Omit<SecretEntry, 'line'> = {
    name: String(e.name),
    keys: Object.entries(keys as Record<string, unknown>).map(([name, d]) => ({ name, description: String(d ?? '') })),
  };
  for (const k of ['namespace', 'description', 'providedBy'] as const) if (typeof e[k] === 'string') out[k] = e[k] as string;
  return out;
}
