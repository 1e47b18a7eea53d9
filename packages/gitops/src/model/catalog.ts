/**
 * The component catalog: one declarative blueprint per known component in
 * `generators/<name>.yaml`, checked against `generators/blueprint.schema.json`
 * when it is loaded, so a broken blueprint is reported with its file name.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { GitopsInputError, Size } from './vocabulary';
import { readYaml } from './yaml-io';

import { blueprintFile, CATALOG_DIR } from './layout';

export { blueprintFile, CATALOG_DIR };
export const BLUEPRINT_SCHEMA_FILE = 'blueprint.schema.json';

export interface ChartSource {
  /** `https://` Helm repository, or `oci://` path of the chart itself. */
  repository: string;
  name: string;
  version: string;
  /** Date `version` was published (YYYY-MM-DD), so a stale pin shows. */
  released?: string;
}

/** A Kubernetes object given as data (apiVersion, kind, metadata.name at least). */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Blueprint {
  name: string;
  description: string;
  layer: string;
  namespace?: string;
  chart?: ChartSource;
  crds?: boolean;
  dependsOn?: string[];
  values?: Record<string, unknown>;
  manifests?: ManifestObject[];
  /** Dotted values keys that hold image tags (e.g. `image.tag`): what `release` and `promote` set, where `validate` refuses `latest`. */
  images?: string[];
  /** The Secrets the component needs: name, namespace when not the component's, each key and what it holds, providedBy an operator. */
  secrets?: { name: string; namespace?: string; description?: string; keys: Record<string, string>; providedBy?: string }[];
  /** Chart values (helm) or strategic-merge patches (manifests) per size profile. */
  sizes?: Partial<Record<Size, Record<string, unknown> | ManifestObject[]>>;
}

/** The part of the Nx Tree the catalog reads; a Tree satisfies it. */
export interface CatalogFiles {
  read(path: string, encoding: 'utf-8'): string | null;
  exists(path: string): boolean;
  children(dir: string): string[];
}

export function blueprintSchemaFile(): string {
  return posix.join(CATALOG_DIR, BLUEPRINT_SCHEMA_FILE);
}

const compiled = new Map<string, ValidateFunction>();

function schemaValidator(files: CatalogFiles): ValidateFunction {
  const path = blueprintSchemaFile();
  const text = files.read(path, 'utf-8');
  if (text === null) {
    throw new GitopsInputError(`${path} is missing; the component catalog needs its schema to check blueprints.`);
  }
  let validate = compiled.get(text);
  if (!validate) {
    validate = precompiledValidator(text) ?? compileValidator(text);
    compiled.set(text, validate);
  }
  return validate;
}

/** The packaged schema compiled at build time (tools/copy-assets.js), when `text` is that schema. */
function precompiledValidator(text: string): ValidateFunction | undefined {
  const file = join(PACKAGED_CATALOG_DIR, PRECOMPILED_VALIDATOR);
  if (!existsSync(file)) return undefined;
  const precompiled = require(file) as ValidateFunction & { schemaHash?: string };
  return precompiled.schemaHash === createHash('sha256').update(text).digest('hex') ? precompiled : undefined;
}

/** A workspace schema of its own, compiled now (Ajv is loaded only then). */
function compileValidator(text: string): ValidateFunction {
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(text));
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map(
      (e) =>
        `${e.instancePath || '/'} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as string[]).join(', ')})` : ''}`,
    )
    .join('; ');
}

/** Image tags that float defeat pinning: refuse `latest` anywhere in values. */
function findLatestTag(value: unknown, path: string[] = []): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findLatestTag(value[i], [...path, String(i)]);
      if (hit) return hit;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'tag' && v === 'latest') return [...path, k].join('.');
      if (k === 'image' && typeof v === 'string' && /:latest$/.test(v)) return [...path, k].join('.');
      const hit = findLatestTag(v, [...path, k]);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Parses and checks one blueprint file; every problem names the file. */
export function parseBlueprint(path: string, text: string, validate: ValidateFunction): Blueprint {
  let raw: unknown;
  try {
    raw = readYaml(path, text);
  } catch (e) {
    throw new GitopsInputError(`Blueprint ${(e as Error).message}`);
  }
  if (!validate(raw)) {
    throw new GitopsInputError(`Blueprint ${path} is invalid: ${describeErrors(validate.errors)}.`);
  }
  const bp = raw as Blueprint;
  const expected = posix.basename(path, '.yaml');
  if (bp.name !== expected) {
    throw new GitopsInputError(`Blueprint ${path} is invalid: name '${bp.name}' must equal the file name '${expected}'.`);
  }
  const latest = findLatestTag({ values: bp.values, manifests: bp.manifests, sizes: bp.sizes });
  if (latest) {
    throw new GitopsInputError(`Blueprint ${path} is invalid: an image tag 'latest' at ${latest}; pin a version.`);
  }
  checkSizeShapes(path, bp);
  return bp;
}

function checkSizeShapes(path: string, bp: Blueprint): void {
  for (const [size, profile] of Object.entries(bp.sizes ?? {})) {
    const isPatchList = Array.isArray(profile);
    if (bp.manifests && !isPatchList) {
      throw new GitopsInputError(`Blueprint ${path} is invalid: sizes.${size} must be a list of patches for a plain-manifest component.`);
    }
    if (bp.chart && isPatchList) {
      throw new GitopsInputError(`Blueprint ${path} is invalid: sizes.${size} must be chart values (a mapping) for a chart component.`);
    }
  }
}

/** The blueprint named `name`, or undefined when the catalog has none. */
export function loadBlueprint(files: CatalogFiles, name: string): Blueprint | undefined {
  const path = blueprintFile(name);
  const text = files.read(path, 'utf-8');
  if (text === null) return undefined;
  return parseBlueprint(path, text, schemaValidator(files));
}

/** The catalog shipped inside the plugin (`dist/catalog`), for workspaces without their own. */
export const PACKAGED_CATALOG_DIR = join(__dirname, '..', 'catalog');
/** Written next to the packaged catalog by tools/copy-assets.js. */
const PRECOMPILED_VALIDATOR = 'blueprint.schema.validate.js';

/** Reads the packaged catalog with the workspace's `generators/...` paths. */
export function packagedCatalog(dir = PACKAGED_CATALOG_DIR): CatalogFiles {
  const local = (path: string) => join(dir, posix.relative(CATALOG_DIR, path));
  return {
    read: (path) => (existsSync(local(path)) ? readFileSync(local(path), 'utf-8') : null),
    exists: (path) => existsSync(local(path)),
    children: (path) => (existsSync(local(path)) ? readdirSync(local(path)) : []),
  };
}

/** The workspace's catalog when it has one (its schema file), else the packaged one. */
export function catalogFor(workspace: CatalogFiles): CatalogFiles {
  return workspace.exists(blueprintSchemaFile()) ? workspace : packagedCatalog();
}

/** Names of every blueprint in the catalog, sorted. */
export function catalogNames(files: CatalogFiles): string[] {
  if (!files.exists(CATALOG_DIR)) return [];
  return files
    .children(CATALOG_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Every blueprint, each checked; the first broken one throws with its file name. */
export function loadCatalog(files: CatalogFiles): Blueprint[] {
  return catalogNames(files).map((n) => loadBlueprint(files, n) as Blueprint);
}

/** What a size profile holds for a blueprint: values (helm) or patches (manifests). */
export function sizeProfile(bp: Blueprint, size: Size): Record<string, unknown> | ManifestObject[] | undefined {
  return bp.sizes?.[size];
}

/** The blueprint's image-tag values keys, each split into its path. */
export function imageKeys(bp: Blueprint): string[][] {
  return (bp.images ?? []).map((k) => k.split('.'));
}
