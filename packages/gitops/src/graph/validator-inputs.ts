/**
 * The validator's own code as an Nx input. Two cases, decided by where the
 * plugin package lives relative to the workspace:
 *
 * - the plugin is a package of this workspace (node_modules/<name> links to a
 *   folder inside the workspace): its validation sources are file inputs, so
 *   editing the validator invalidates every validate result;
 * - the plugin is installed from a registry: the package and its schema
 *   packages are `externalDependencies`, hashed by their locked versions.
 *
 * Either way no absolute path ends up in an input, so hashes agree across
 * clones, CI agents and a shared remote cache.
 */
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { InputDefinition } from './validate-target';
import { SCHEMA_PACKAGES, SCHEMA_RUNTIME_PACKAGES } from '../validation/inputs';

/** Source folders (of the plugin package) whose code decides a validate result. */
export const VALIDATOR_SOURCE_DIRS = ['model', 'manifests', 'derive', 'validation', 'executors'] as const;

const PACKAGE_ROOT = resolve(__dirname, '..', '..');

export function pluginPackageName(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }).name;
}

/** Folder of the plugin package relative to the workspace root, when the plugin is one of its packages. */
export function localPluginDir(workspaceRoot: string, packageName = pluginPackageName()): string | undefined {
  const link = join(workspaceRoot, 'node_modules', ...packageName.split('/'));
  let target: string | undefined;
  try {
    if (lstatSync(link).isSymbolicLink()) target = resolve(dirname(link), readlinkSync(link));
  } catch {
    target = undefined;
  }
  target ??= PACKAGE_ROOT;
  const rel = relative(workspaceRoot, target).split('\\').join('/');
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split('/').includes('node_modules')) return undefined;
  return existsSync(join(workspaceRoot, rel, 'package.json')) ? rel : undefined;
}

/** Inputs standing for the validator itself: its code and the schema packages it loads. */
export function validatorInputs(workspaceRoot: string): InputDefinition[] {
  const packageName = pluginPackageName();
  const local = localPluginDir(workspaceRoot, packageName);
  const schemaPackages = [...SCHEMA_PACKAGES, ...SCHEMA_RUNTIME_PACKAGES].sort();
  if (local === undefined) return [{ externalDependencies: [packageName, ...schemaPackages] }];
  return [
    ...VALIDATOR_SOURCE_DIRS.map((d) => ({ fileset: `{workspaceRoot}/${local}/src/${d}/**/*.ts` })),
    // The rules kept as data (deprecations, CRD rules) are part of the validator too.
    { fileset: `{workspaceRoot}/${local}/src/validation/data/**/*.yaml` },
    { fileset: `!{workspaceRoot}/${local}/src/**/*.spec.ts` },
    { externalDependencies: schemaPackages },
  ];
}
