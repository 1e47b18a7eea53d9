/**
 * Environment settings (`gitops/clusters/<env>/environment.yaml`): which
 * engine deploys the environment, how it syncs, its size profile and where
 * it promotes from. Plain configuration people read, so it is written with
 * comments and edited in place.
 */
import { Document } from 'yaml';
import { Engine, ENGINES, GitopsInputError, oneOf, Size, SIZES, SYNC_MODES, SyncMode } from './vocabulary';
import { readYaml } from './yaml-io';

export interface EnvironmentSettings {
  name: string;
  engine: Engine;
  sync: SyncMode;
  prune: boolean;
  selfHeal: boolean;
  pinVersions: boolean;
  size: Size;
  promotesFrom?: string;
}

/** Behaviour per environment (seed 001): production is manual, pinned and large. */
const KNOWN_DEFAULTS: Record<string, Omit<EnvironmentSettings, 'name' | 'engine'>> = {
  development: { sync: 'auto', prune: true, selfHeal: true, pinVersions: false, size: 'small' },
  staging: { sync: 'auto', prune: true, selfHeal: true, pinVersions: false, size: 'small', promotesFrom: 'development' },
  production: { sync: 'manual', prune: false, selfHeal: false, pinVersions: true, size: 'large', promotesFrom: 'staging' },
};

export function defaultSettings(name: string, engine: Engine): EnvironmentSettings {
  const known = KNOWN_DEFAULTS[name] ?? { sync: 'auto', prune: true, selfHeal: true, pinVersions: false, size: 'small' };
  return { name, engine, ...known };
}

/** Manual sync means nobody but a person changes the cluster: no pruning or self-heal behind their back. */
export function withSync(settings: EnvironmentSettings, sync: SyncMode): EnvironmentSettings {
  if (sync === settings.sync) return settings;
  return sync === 'manual'
    ? { ...settings, sync, prune: false, selfHeal: false }
    : { ...settings, sync, prune: true, selfHeal: true };
}

function bool(path: string, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new GitopsInputError(`${path}: '${key}' must be true or false; got '${String(value)}'.`);
  return value;
}

export function parseEnvironmentSettings(path: string, text: string, fallbackName: string): EnvironmentSettings {
  const raw = (readYaml<Record<string, unknown>>(path, text) ?? {}) as Record<string, unknown>;
  const name = typeof raw.name === 'string' ? raw.name : fallbackName;
  const where = (what: string) => `${what} in ${path}`;
  const settings: EnvironmentSettings = {
    name,
    engine: oneOf(where('Engine'), String(raw.engine ?? 'flux'), ENGINES),
    sync: oneOf(where('Sync mode'), String(raw.sync ?? 'auto'), SYNC_MODES),
    prune: bool(path, 'prune', raw.prune, true),
    selfHeal: bool(path, 'selfHeal', raw.selfHeal, true),
    pinVersions: bool(path, 'pinVersions', raw.pinVersions, false),
    size: oneOf(where('Size'), String(raw.size ?? 'small'), SIZES),
  };
  if (typeof raw.promotesFrom === 'string') settings.promotesFrom = raw.promotesFrom;
  return settings;
}

const COMMENTS: Record<keyof EnvironmentSettings, string> = {
  name: 'Environment name: the folder name and the Nx project env-<name>.',
  engine: `GitOps engine that deploys this environment: ${ENGINES.join(' | ')} (both during a migration).`,
  sync: `auto: engines apply every merged change. manual: a person releases (Flux Kustomizations suspended, Argo CD without automated sync).`,
  prune: 'Delete cluster objects that were removed from the tree.',
  selfHeal: 'Revert changes made in the cluster by hand (Argo CD selfHeal).',
  pinVersions: 'Every chart version must be exact (no ranges).',
  size: `Size profile picked from each blueprint's sizes: ${SIZES.join(' | ')}.`,
  promotesFrom: 'Environment whose versions and values are promoted into this one.',
};

const ORDER: (keyof EnvironmentSettings)[] = ['name', 'engine', 'sync', 'prune', 'selfHeal', 'pinVersions', 'size', 'promotesFrom'];

/** The settings file, each field with its explanation. */
export function environmentSettingsYaml(settings: EnvironmentSettings): string {
  const doc = new Document({});
  doc.commentBefore = ` Settings of environment ${settings.name}; read by the @mlops/gitops generators and validation.`;
  for (const key of ORDER) {
    const value = settings[key];
    if (value === undefined) continue;
    doc.set(key, value);
    const pair = (doc.contents as { items: { key: { commentBefore?: string } }[] }).items.at(-1)!;
    pair.key = doc.createNode(key) as never;
    (pair.key as { commentBefore?: string }).commentBefore = ` ${COMMENTS[key]}`;
  }
  return doc.toString({ lineWidth: 0 });
}
