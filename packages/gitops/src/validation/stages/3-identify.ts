/**
 * Stage 3, identify: apiVersion/kind → a schema. Built-in and well-known
 * kinds come from the kubernetes-models family (precompiled ajv validators,
 * ESM-only, loaded lazily with native import(), each module once per
 * process); kinds of the CRD files a user supplies are compiled with ajv.
 */
import type Ajv from 'ajv';
import { existsSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { LoadedTree } from './1-load';
import { declaredKeysAt } from './type-declarations';

export interface SchemaError {
  /** JSON pointer into the object, e.g. `/spec/chart/spec/version`. */
  instancePath: string;
  message: string;
  /** The JSON Schema keyword that failed (`enum`, `format` …) and its parameters (`allowedValues` …). */
  keyword?: string;
  params?: Record<string, unknown>;
}

export interface Schema {
  /** Where the schema comes from, for messages. */
  source: string;
  /** Validates `data` (which may be a tracking proxy); returns the errors, empty when valid. */
  validate(data: unknown): SchemaError[];
  /**
   * Whether the model's type declarations define the field at `path` (the
   * interface at its parent path declares the key, or the parent is a map or
   * free-form). The precompiled validators skip properties whose schema has
   * no constraint (e.g. AppProject `spec.description`), so the field tracker
   * alone would call them unknown.
   */
  declares?(path: readonly string[]): boolean;
}

type ModelClass = { kind?: string; apiVersion?: string; prototype: { validate(): void } };

/** The kubernetes-models package that holds a group's models. */
export function modelModuleFor(apiVersion: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  if (slash === -1) return `kubernetes-models/${apiVersion}`;
  const group = apiVersion.slice(0, slash);
  if (group.endsWith('.fluxcd.io')) return `@kubernetes-models/flux-cd/${apiVersion}`;
  if (group === 'argoproj.io') return `@kubernetes-models/argo-cd/${apiVersion}`;
  if (group === 'bitnami.com') return `@kubernetes-models/sealed-secrets/${apiVersion}`;
  if (group === 'external-secrets.io' || group.endsWith('.external-secrets.io')) return `@kubernetes-models/external-secrets/${apiVersion}`;
  if (!group.includes('.') || group.endsWith('.k8s.io')) return `kubernetes-models/${apiVersion}`;
  return undefined;
}

/** The schema packages are ESM-only: they are loaded with a native import(). */
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<Record<string, unknown>>;

function importEsm(specifier: string): Promise<Record<string, unknown>> {
  // Through Function so no transpiler rewrites it into require(): Nx runs a
  // workspace-local plugin's executors from their TypeScript source via swc,
  // which would turn import() into a require() of these ESM-only packages.
  return nativeImport(specifier);
}

export class SchemaRegistry {
  private readonly modules = new Map<string, Promise<Record<string, unknown> | undefined>>();
  private readonly crds = new Map<string, { file: string; schema: object }>();
  private readonly schemas = new Map<string, Promise<Schema | undefined>>();
  private ajv?: Ajv;

  /** Reads CustomResourceDefinition files below `dir` (if it exists). */
  loadCrds(tree: LoadedTree, dir: string | undefined): string[] {
    if (dir === undefined || !tree.reader.isDirectory(dir)) return [];
    const files = tree.yamlFilesUnder(dir);
    for (const path of files) {
      for (const d of tree.file(path)?.documents ?? []) {
        const crd = d.value as CrdShape | null;
        if (!crd || crd.kind !== 'CustomResourceDefinition' || !crd.spec?.group || !crd.spec.names?.kind) continue;
        for (const v of crd.spec.versions ?? []) {
          const schema = v.schema?.openAPIV3Schema;
          if (schema) this.crds.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, { file: path, schema });
        }
      }
    }
    return files;
  }

  /** The schema of a kind, looked up once per registry (a tree has thousands of objects and a few dozen kinds). */
  lookup(apiVersion: string, kind: string): Promise<Schema | undefined> {
    const key = `${apiVersion}/${kind}`;
    let schema = this.schemas.get(key);
    if (!schema) this.schemas.set(key, (schema = this.resolve(apiVersion, kind)));
    return schema;
  }

  private async resolve(apiVersion: string, kind: string): Promise<Schema | undefined> {
    const crd = this.crds.get(`${apiVersion}/${kind}`);
    if (crd) return this.compileCrd(crd.file, crd.schema);
    const spec = modelModuleFor(apiVersion);
    if (!spec) return undefined;
    const own = /^[A-Za-z][A-Za-z0-9]*$/.test(kind) ? await this.modelClass(`${spec}/${kind}`, apiVersion, kind) : undefined;
    const cls = own ?? (await this.modelClass(spec, apiVersion, kind));
    if (!cls) return undefined;
    return {
      source: spec,
      declares: declarationsOf(spec, kind),
      validate(data) {
        try {
          cls.prototype.validate.call(data);
          return [];
        } catch (e) {
          const errors = (e as { errors?: AjvError[] }).errors;
          if (!errors) throw e;
          return errors.map(schemaError);
        }
      },
    };
  }

  /**
   * The model class of a kind from a module: first the kind's own module
   * (`kubernetes-models/v1/Namespace`, a few files) rather than its version's
   * index (`kubernetes-models/v1`, hundreds); it is the same class either way.
   */
  private async modelClass(spec: string, apiVersion: string, kind: string): Promise<ModelClass | undefined> {
    const mod = await this.loadModule(spec);
    return (
      mod &&
      (Object.values(mod).find((c) => (c as ModelClass)?.kind === kind && (c as ModelClass)?.apiVersion === apiVersion) as ModelClass | undefined)
    );
  }

  private loadModule(spec: string): Promise<Record<string, unknown> | undefined> {
    let p = this.modules.get(spec);
    if (!p) {
      p = importEsm(spec).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || e.code === 'ERR_MODULE_NOT_FOUND') return undefined;
        throw e;
      });
      this.modules.set(spec, p);
    }
    return p;
  }

  private compileCrd(file: string, schema: object): Schema {
    // Loaded on first use: most trees have no CRD files, and every run pays for what it loads.
    const AjvClass = (require('ajv') as { default: typeof Ajv }).default;
    this.ajv ??= new AjvClass({ strict: false, allErrors: true, validateFormats: false });
    const fn = this.ajv.compile(withObjectMeta(schema));
    return {
      source: posix.normalize(file),
      validate(data) {
        if (fn(data)) return [];
        return (fn.errors ?? []).map(schemaError);
      },
    };
  }
}

interface AjvError {
  instancePath: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function schemaError(x: AjvError): SchemaError {
  return { instancePath: x.instancePath, message: x.message ?? 'is invalid', keyword: x.keyword, params: x.params };
}

/** Field lookup in the kind's `<Kind>.d.ts` of a model module (`<package>/<group>/<version>`), see type-declarations.ts. */
function declarationsOf(spec: string, kind: string): (path: readonly string[]) => boolean {
  const parts = spec.split('/');
  const pkgLength = spec.startsWith('@') ? 2 : 1;
  const dir = findPackageDir(parts.slice(0, pkgLength).join('/'));
  if (!dir) return () => false;
  const kindFile = join(dir, ...parts.slice(pkgLength), `${kind}.d.ts`);
  return (path) => {
    const keys = declaredKeysAt(kindFile, path.slice(0, -1));
    return keys === 'any' || (keys !== undefined && keys.has(path[path.length - 1]));
  };
}

/** Node's lookup of a package folder, done by hand: the ESM-only packages export no package.json. */
export function findPackageDir(pkg: string): string | undefined {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

interface CrdShape {
  kind?: string;
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: { name: string; schema?: { openAPIV3Schema?: object } }[];
  };
}

/** CRD schemas often leave out what every object has; the API server supplies it. */
function withObjectMeta(schema: object): object {
  const s = schema as { properties?: Record<string, unknown> };
  const meta = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
  return { ...s, properties: { ...meta, ...(s.properties ?? {}) } };
}
