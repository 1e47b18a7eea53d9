/**
 * The platform file (`gitops/platform.yaml`): ordered layers with their
 * namespaces, the default engine and the Git repository the engines pull.
 * The layer rule lives here and nowhere else.
 */
import { parseSopsRecipients, recipientsForFile, SopsRecipients } from './sops';
import { Engine, GitopsInputError, oneOf, parseEngines, SECRET_PROVIDERS, SecretProvider } from './vocabulary';
import { readYaml, toYaml } from './yaml-io';

export interface Layer {
  name: string;
  /** Lower runs first; equal orders may depend on each other (cycles are still refused). */
  order: number;
  namespace: string;
  description?: string;
}

/** Who provides the platform's Secrets, and (External Secrets) the ClusterSecretStore they read. */
export interface SecretsSettings {
  provider: SecretProvider;
  store: string;
  /** `secrets.sops`: who may decrypt the SOPS-encrypted Secrets of every environment that uses sops (one may replace them). */
  sops?: SopsRecipients;
}

/** External Secrets over a ClusterSecretStore the platform team sets up once per cluster (seed 000). */
export const DEFAULT_SECRETS: SecretsSettings = { provider: 'external-secrets', store: 'platform-secrets' };

export interface Platform {
  repository: { url: string; branch: string };
  secrets: SecretsSettings;
  /** Engines of an environment whose environment.yaml lists none. */
  defaultEngines: Engine[];
  layers: Layer[];
}

/**
 * The Git repository written when none is known (no --repositoryUrl, no pullable `origin`), and
 * assumed when platform.yaml does not say: a placeholder the user replaces.
 */
export const PLACEHOLDER_REPOSITORY: Platform['repository'] = {
  url: 'https://github.com/example/mlops-gitops.git',
  branch: 'main',
};

export function parsePlatform(path: string, text: string): Platform {
  const raw = readYaml<Partial<Omit<Platform, 'secrets'>> & { defaultEngine?: unknown; secrets?: RawSecrets }>(path, text);
  if (!raw || typeof raw !== 'object') throw new Error(`${path}: expected a mapping with 'layers'`);
  const layers = Array.isArray(raw.layers) ? raw.layers : [];
  if (layers.length === 0) throw new Error(`${path}: 'layers' must list at least one layer`);
  for (const l of layers) {
    if (!l || typeof l.name !== 'string' || typeof l.order !== 'number' || typeof l.namespace !== 'string') {
      throw new Error(`${path}: every layer needs 'name', 'order' (a number) and 'namespace'; got ${JSON.stringify(l)}`);
    }
  }
  return {
    repository: {
      url: raw.repository?.url ?? PLACEHOLDER_REPOSITORY.url,
      branch: raw.repository?.branch ?? PLACEHOLDER_REPOSITORY.branch,
    },
    secrets: parseSecrets(path, raw.secrets),
    defaultEngines: parseEngines(`Default engines in ${path}`, raw.defaultEngines ?? raw.defaultEngine ?? ['flux']),
    layers: [...layers].sort((a, b) => a.order - b.order),
  };
}

type RawSecrets = { provider?: unknown; store?: unknown; sops?: unknown };

function parseSecrets(path: string, raw: RawSecrets | undefined): SecretsSettings {
  if (raw === undefined || raw === null) return DEFAULT_SECRETS;
  const provider = oneOf(`Secret provider in ${path}`, String(raw.provider ?? DEFAULT_SECRETS.provider), SECRET_PROVIDERS);
  if (raw.store !== undefined && typeof raw.store !== 'string')
    throw new GitopsInputError(`${path}: 'secrets.store' must be the name of a ClusterSecretStore.`);
  const sops = parseSopsRecipients(`${path}: secrets.sops`, raw.sops);
  return { provider, store: (raw.store as string | undefined) ?? DEFAULT_SECRETS.store, ...(sops ? { sops } : {}) };
}

export function layerNames(platform: Platform): string[] {
  return platform.layers.map((l) => l.name);
}

export function findLayer(platform: Platform, name: string): Layer {
  const layer = platform.layers.find((l) => l.name === name);
  if (!layer) throw new GitopsInputError(unknownLayerMessage(platform, name));
  return layer;
}

/** What is wrong with a layer name the platform file does not list (the generators throw it, validation reports it). */
export function unknownLayerMessage(platform: Platform, name: string): string {
  return `Layer '${name}' does not exist; existing layers: ${layerNames(platform).join(', ')}.`;
}

/** The layer rule: a component may depend on its own layer or a lower one. */
export function mayDependOn(from: Layer, to: Layer): boolean {
  return to.order <= from.order;
}

export function layerViolationMessage(from: { component: string; layer: Layer }, to: { component: string; layer: Layer }): string {
  return (
    `'${from.component}' (layer ${from.layer.name}, order ${from.layer.order}) must not depend on ` +
    `'${to.component}' (layer ${to.layer.name}, order ${to.layer.order}): a component may depend only on its own layer or lower ones.`
  );
}

/** The layers a fresh tree starts with (the seeds' order); each namespace equals its layer name. */
export const DEFAULT_LAYERS: readonly Layer[] = [
  {
    name: 'platform-operators',
    order: 1,
    namespace: 'platform-operators',
    description: 'Operators and their CRDs: Strimzi, MinIO, Spark, Flink, Redis, Sealed Secrets',
  },
  {
    name: 'observability',
    order: 1,
    namespace: 'observability',
    description: 'Monitoring: kube-prometheus-stack',
  },
  {
    name: 'data-plane',
    order: 2,
    namespace: 'data-plane',
    description: 'Custom resources of the operators: Kafka cluster, MinIO tenant',
  },
  {
    name: 'orchestration',
    order: 3,
    namespace: 'orchestration',
    description: 'Airflow, PostgreSQL, Redis',
  },
  {
    name: 'ml-lifecycle',
    order: 4,
    namespace: 'ml-lifecycle',
    description: 'MLflow',
  },
  {
    name: 'processing-jobs',
    order: 5,
    namespace: 'processing-jobs',
    description: 'Spark and Flink jobs, training pods',
  },
];

/** The text of a platform file, as `parsePlatform` reads it back. */
export function platformYaml(platform: Platform): string {
  const { repository, defaultEngines, layers } = platform;
  const { sops, ...secrets } = platform.secrets;
  return toYaml(
    { repository, defaultEngines, secrets: sops ? { ...secrets, sops: recipientsForFile(sops) } : secrets, layers },
    'Ordered layers of the platform with their namespaces, the default GitOps engine, the\nGit repository the engines pull and who provides the Secrets (external-secrets over the\nClusterSecretStore `store`, sealed-secrets, or sops on Flux; an environment may override it).\nA component may depend on its own layer or lower ones.',
  );
}
