/**
 * Environment settings (`gitops/clusters/<env>/environment.yaml`): which
 * engine deploys the environment, how it syncs, its size profile and where
 * it promotes from. Plain configuration people read, so it is written with
 * comments and edited in place.
 */
import { Document } from 'yaml';
import { platformFile } from './layout';
import type { SecretsSettings } from './platform';
import { hasRecipients, parseSopsRecipients, recipientsForFile, SopsRecipients } from './sops';
import {
  assertReleaseTag,
  Engine,
  ENGINES,
  GitopsInputError,
  oneOf,
  parseEngines,
  SECRET_PROVIDERS,
  SecretProvider,
  Size,
  SIZES,
  SYNC_MODES,
  SyncMode,
} from './vocabulary';
import { readYaml, YAML_STYLE } from './yaml-io';

export interface EnvironmentSettings {
  name: string;
  /** The engines that deploy this environment, in the order of ENGINES. */
  engines: Engine[];
  sync: SyncMode;
  prune: boolean;
  selfHeal: boolean;
  pinVersions: boolean;
  size: Size;
  promotesFrom?: string;
  /**
   * The Git tag a manually synced environment applies (its release gate): Flux reconciles it from a
   * GitRepository on that tag, Argo CD's Applications take their Git sources at it. Unset: nothing released yet.
   */
  release?: string;
  /** environment.yaml `secretsProvider`, when it overrides platform.yaml's. */
  secretsProvider?: SecretProvider;
  /** Who provides this environment's Secrets: `secretsProvider`, else platform.yaml's. */
  secrets: SecretProvider;
  /** environment.yaml `sops`, when it replaces platform.yaml's `secrets.sops` recipients. */
  sops?: SopsRecipients;
  /** Who may decrypt this environment's SOPS Secrets (`sops`, else platform.yaml's): set exactly when `secrets` is sops. */
  sopsRecipients?: SopsRecipients;
}

/** Why SOPS is refused where Argo CD deploys. */
export const SOPS_ARGOCD_REASON =
  "Argo CD's documentation advises against decrypting secrets while it generates manifests (the plaintext would sit in its repo-server cache)";

/** The environment whose name alone makes it manual, pinned and large when its file does not say (seed 001). */
export const PRODUCTION = 'production';

/** Where an environment promotes from when it is created with the defaults. */
const KNOWN_PROMOTIONS: Record<string, string> = {
  staging: 'development',
  production: 'staging',
};

function bool(path: string, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new GitopsInputError(`${path}: '${key}' must be true or false; got '${String(value)}'.`);
  return value;
}

/**
 * The settings of an environment, the one rule for what a missing key means: explicit keys win;
 * the engine defaults to the platform's default engine (flux without a platform file); an
 * environment named production defaults to sync manual, pinVersions true, prune and selfHeal
 * false, size large; any other to sync auto, pinVersions false, size small. prune and selfHeal
 * default to whether the environment syncs automatically. Throws on a value of the wrong kind.
 */
export function resolveSettings(
  raw: Record<string, unknown>,
  name: string,
  platform?: { defaultEngines: Engine[]; secrets?: SecretsSettings },
  path = `environment '${name}'`,
): EnvironmentSettings {
  const production = name === PRODUCTION;
  const where = (what: string) => `${what} in ${path}`;
  const sync = oneOf(where('Sync mode'), String(raw.sync ?? (production ? 'manual' : 'auto')), SYNC_MODES);
  const settings: EnvironmentSettings = {
    name,
    engines: parseEngines(where('Engines'), raw.engines ?? raw.engine ?? platform?.defaultEngines ?? ['flux']),
    sync,
    prune: bool(path, 'prune', raw.prune, sync === 'auto'),
    selfHeal: bool(path, 'selfHeal', raw.selfHeal, sync === 'auto'),
    pinVersions: bool(path, 'pinVersions', raw.pinVersions, production),
    size: oneOf(where('Size'), String(raw.size ?? (production ? 'large' : 'small')), SIZES),
    secrets: platform?.secrets?.provider ?? 'external-secrets',
  };
  if (typeof raw.promotesFrom === 'string') settings.promotesFrom = raw.promotesFrom;
  if (raw.release !== undefined) settings.release = assertReleaseTag(String(raw.release));
  if (raw.secretsProvider !== undefined) {
    settings.secretsProvider = oneOf(where('Secret provider'), String(raw.secretsProvider), SECRET_PROVIDERS);
    settings.secrets = settings.secretsProvider;
  }
  const sops = parseSopsRecipients(`${path}: sops`, raw.sops);
  if (sops) settings.sops = sops;
  if (settings.secrets === 'sops') settings.sopsRecipients = sopsRecipients(settings, platform?.secrets, path);
  return settings;
}

/** The recipients of a SOPS environment; refuses Argo CD and an environment nobody could decrypt. */
function sopsRecipients(settings: EnvironmentSettings, platform: SecretsSettings | undefined, path: string): SopsRecipients {
  const name = settings.name;
  if (settings.engines.includes('argocd')) {
    throw new GitopsInputError(
      `Secret provider 'sops' is refused for environment '${name}', which Argo CD deploys: ${SOPS_ARGOCD_REASON}. Use external-secrets or sealed-secrets (set secretsProvider in ${path}).`,
    );
  }
  const recipients = settings.sops ?? platform?.sops;
  if (!hasRecipients(recipients)) {
    throw new GitopsInputError(
      `Environment '${name}' gets its Secrets from sops but names no recipient to encrypt them for; set 'secrets.sops.age' in ${platformFile()} ` +
        `(or 'sops.age' in ${path} for this environment alone) to the age public keys (age1…) of the cluster's sops-age key and of the people who encrypt.`,
    );
  }
  return recipients;
}

/** Settings of a new environment: the defaults of `resolveSettings`, and where it promotes from. */
export function defaultSettings(name: string, engines: Engine[]): EnvironmentSettings {
  const settings = resolveSettings({}, name, { defaultEngines: engines });
  const promotesFrom = KNOWN_PROMOTIONS[name];
  return promotesFrom ? { ...settings, promotesFrom } : settings;
}

/** Manual sync means nobody but a person changes the cluster: no pruning or self-heal behind their back. */
export function withSync(settings: EnvironmentSettings, sync: SyncMode): EnvironmentSettings {
  if (sync === settings.sync) return settings;
  return sync === 'manual' ? { ...settings, sync, prune: false, selfHeal: false } : { ...settings, sync, prune: true, selfHeal: true };
}

/** Reads environment.yaml; `platform` gives the default engine (flux without one). */
export function parseEnvironmentSettings(
  path: string,
  text: string,
  fallbackName: string,
  platform?: { defaultEngines: Engine[]; secrets?: SecretsSettings },
): EnvironmentSettings {
  const raw = (readYaml<Record<string, unknown>>(path, text) ?? {}) as Record<string, unknown>;
  const name = typeof raw.name === 'string' ? raw.name : fallbackName;
  return resolveSettings(raw, name, platform, path);
}

const COMMENTS: Record<Exclude<keyof EnvironmentSettings, 'secrets' | 'sopsRecipients'>, string> = {
  name: 'Environment name: the folder name and the Nx project env-<name>.',
  engines: `GitOps engines that deploy this environment: ${ENGINES.join(', ')} (both listed during a migration).`,
  sync: `auto: engines apply every merged change. manual: the environment applies only the release tag below (Argo CD: and only when a person syncs).`,
  prune: 'Delete cluster objects that were removed from the tree.',
  selfHeal: 'Revert changes made in the cluster by hand (Argo CD selfHeal).',
  pinVersions: 'Every chart version must be exact (no ranges).',
  size: `Size profile picked from each blueprint's sizes: ${SIZES.join(' | ')}.`,
  promotesFrom: 'Environment whose versions and values are promoted into this one.',
  release: 'The Git tag this environment applies (sync: manual); set by nx g @mlops/gitops:release --environment=<env> --tag=<tag>.',
  secretsProvider: "Who provides this environment's Secrets, when not platform.yaml's: external-secrets, sealed-secrets, sops (Flux only).",
  sops: "With sops: who may decrypt this environment's Secrets (age: age1… public keys, pgp: fingerprints), instead of platform.yaml's secrets.sops.",
};

const ORDER: (keyof typeof COMMENTS)[] = [
  'name',
  'engines',
  'sync',
  'prune',
  'selfHeal',
  'pinVersions',
  'size',
  'promotesFrom',
  'release',
  'secretsProvider',
  'sops',
];

/** The settings file, each field with its explanation. */
export function environmentSettingsYaml(settings: EnvironmentSettings): string {
  const doc = new Document({});
  doc.commentBefore = ` Settings of environment ${settings.name}; read by the @mlops/gitops generators and validation.`;
  for (const key of ORDER) {
    const value = key === 'sops' && settings.sops ? recipientsForFile(settings.sops) : settings[key];
    if (value === undefined) continue;
    doc.set(key, value);
    const pair = (doc.contents as { items: { key: { commentBefore?: string } }[] }).items.at(-1)!;
    pair.key = doc.createNode(key) as never;
    (pair.key as { commentBefore?: string }).commentBefore = ` ${COMMENTS[key]}`;
  }
  return doc.toString(YAML_STYLE);
}
