/**
 * Every generator's schema.json is complete for Nx Console's Generate form and for `--help`:
 * descriptions everywhere, prompts for what must be asked, enums equal to the closed sets of
 * model/vocabulary.ts, the name from argv, priorities, and defaults that make a catalog
 * component one click. Discovery goes through package.json's `generators` field.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { COMPONENT_KINDS, ENGINES, IMPORT_FORMATS, SIZES, SYNC_MODES } from '../model/vocabulary';
import { CI_PROVIDERS } from './init/init';

const PACKAGE_ROOT = join(__dirname, '../..');
const packageJson = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'));
const collection = JSON.parse(readFileSync(join(PACKAGE_ROOT, packageJson.generators), 'utf8')) as {
  generators: Record<string, { factory: string; schema: string; description: string; aliases?: string[]; hidden?: boolean }>;
};

/** Option names whose answers are closed sets, and the one constant each must equal. */
const CLOSED_SETS: Record<string, readonly string[]> = {
  engines: ENGINES,
  sync: SYNC_MODES,
  size: SIZES,
  kind: COMPONENT_KINDS,
  ci: CI_PROVIDERS,
  format: IMPORT_FORMATS,
};

interface Property {
  type?: string;
  description?: string;
  enum?: string[];
  default?: unknown;
  items?: { enum?: string[] };
  'x-prompt'?: string | { message: string; items?: (string | { value: string })[] };
  'x-priority'?: string;
  $default?: { $source: string; index?: number };
  'x-dropdown'?: string;
}

interface GeneratorSchema {
  $id?: string;
  additionalProperties?: boolean;
  title?: string;
  description?: string;
  properties: Record<string, Property>;
  required?: string[];
}

/** generators.json points into dist/; the sources live at the same path under src/. */
function sourceOf(distPath: string): string {
  return join(PACKAGE_ROOT, distPath.replace(/^\.\/dist\//, 'src/'));
}

function loadSchema(name: string): GeneratorSchema {
  return JSON.parse(readFileSync(sourceOf(collection.generators[name].schema), 'utf8'));
}

const names = Object.keys(collection.generators).sort();
const cases = names.map((name) => [name, loadSchema(name)] as const);

describe('generator discovery', () => {
  it('package.json points Nx at generators.json and ships it', () => {
    expect(packageJson.generators).toBe('./generators.json');
    expect(packageJson.files).toEqual(expect.arrayContaining(['dist', 'generators.json']));
  });

  it('registers every generator folder, and every entry points at a built factory and schema', () => {
    const folders = readdirSync(__dirname).filter((f) => statSync(join(__dirname, f)).isDirectory() && existsSync(join(__dirname, f, 'schema.json')));
    expect(names).toEqual(expect.arrayContaining(['init', 'release', 'component', 'environment']));
    expect(names).toEqual(folders.sort());
    for (const name of names) {
      const entry = collection.generators[name];
      expect(entry.description).toEqual(expect.any(String));
      expect(entry.factory).toMatch(/^\.\/dist\/generators\//);
      expect(entry.schema).toMatch(/^\.\/dist\/generators\/.*schema\.json$/);
      expect(existsSync(sourceOf(entry.factory) + '.ts')).toBe(true);
    }
  });

  it.each(names)('%s: the factory exports the generator as its default', (name) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(sourceOf(collection.generators[name].factory));
    expect(typeof mod.default).toBe('function');
  });
});

describe.each(cases)('schema of %s', (name, schema) => {
  const properties = Object.entries(schema.properties);

  it('has a title, a description and an $id', () => {
    expect(schema.title).toEqual(expect.any(String));
    expect(schema.description).toEqual(expect.any(String));
    expect(schema.$id).toEqual(expect.any(String));
  });

  it('describes every option', () => {
    const undescribed = properties.filter(([, p]) => !p.description || p.description.trim().length < 10).map(([k]) => k);
    expect(undescribed).toEqual([]);
  });

  it('asks for (or defaults) every required option', () => {
    const unasked = (schema.required ?? []).filter((k) => !schema.properties[k]?.['x-prompt'] && schema.properties[k]?.default === undefined);
    expect(unasked).toEqual([]);
  });

  it('takes its subject from the command line (the first argument), prompted when required, and important', () => {
    const fromArgv = properties.filter(([, p]) => p.$default?.$source === 'argv');
    const required = schema.required ?? [];
    if (required.length === 0 && fromArgv.length === 0) return;
    expect(fromArgv).toHaveLength(1);
    const [key, first] = fromArgv[0];
    expect(first.$default).toEqual({ $source: 'argv', index: 0 });
    expect(first['x-priority']).toBe('important');
    // The subject is the first required option, unless it may be left out (promote --all).
    if (required.includes(key)) {
      expect(required[0]).toBe(key);
      expect(first['x-prompt']).toBeDefined();
    }
  });

  it('refuses a misspelt option instead of ignoring it', () => {
    expect(schema.additionalProperties).toBe(false);
  });

  it('marks the fields that matter as important', () => {
    if (properties.every(([, p]) => p['x-priority'] === 'internal')) return;
    expect(properties.some(([, p]) => p['x-priority'] === 'important')).toBe(true);
    const unknownPriorities = properties.map(([, p]) => p['x-priority']).filter((x) => x !== undefined && x !== 'important' && x !== 'internal');
    expect(unknownPriorities).toEqual([]);
  });

  it('lists closed sets as enums equal to model/vocabulary', () => {
    for (const [key, allowed] of Object.entries(CLOSED_SETS)) {
      const p = schema.properties[key];
      if (!p) continue;
      expect({ option: key, enum: p.enum ?? p.items?.enum }).toEqual({ option: key, enum: [...allowed] });
      for (const d of p.default === undefined ? [] : Array.isArray(p.default) ? p.default : [p.default]) expect(allowed).toContain(d);
      const prompt = p['x-prompt'];
      if (prompt && typeof prompt === 'object' && prompt.items) {
        expect(prompt.items.map((i) => (typeof i === 'string' ? i : i.value))).toEqual([...allowed]);
      }
    }
  });

  it('gives booleans a default so the form needs no answer for them', () => {
    const unset = properties.filter(([key, p]) => p.type === 'boolean' && p.default === undefined && !(schema.required ?? []).includes(key));
    // Booleans without a default mean "take it from the catalog / existing tree" and must say so.
    for (const [key, p] of unset)
      expect({ option: key, description: p.description }).toEqual({ option: key, description: expect.stringMatching(/default/i) });
  });
});

describe('closed-set options', () => {
  // Where each closed set is asked; a generator dropping the enum (or the option) fails here.
  it.each([
    ['environment', ['engines', 'sync', 'size']],
    ['component', ['kind']],
    ['init', ['engines', 'ci']],
    ['import', ['format']],
  ])('%s offers %j as enums', (name, keys) => {
    const schema = loadSchema(name as string);
    for (const key of keys as string[]) {
      const p = schema.properties[key];
      expect({ key, enum: p?.enum ?? p?.items?.enum }).toEqual({ key, enum: [...CLOSED_SETS[key]] });
    }
  });
});

describe('pickers and hidden generators', () => {
  it.each([
    ['release', 'component'],
    ['remove', 'component'],
    ['rename', 'component'],
    ['promote', 'components'],
  ])('%s picks its %s from the workspace projects', (name, key) => {
    expect(loadSchema(name).properties[key]['x-dropdown']).toBe('projects');
  });

  it('hides init and sync from the Generate form, as Nx hides its own', () => {
    const hidden = names.filter((n) => collection.generators[n].hidden === true);
    expect(hidden).toEqual(['init', 'sync']);
  });
});

describe('the Generate form for a catalog component', () => {
  it('needs only the name: every other option defaults from the catalog or the tree', () => {
    const component = loadSchema('component');
    expect(component.required).toEqual(['name']);
  });

  it('init needs no answer at all', () => {
    const init = loadSchema('init');
    expect(init.required ?? []).toEqual([]);
    for (const key of ['environments', 'engines', 'ci']) expect(init.properties[key].default).toBeDefined();
  });
});
