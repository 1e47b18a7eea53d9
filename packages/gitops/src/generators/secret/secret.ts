/**
 * `nx g @mlops/gitops:secret <name> --component <c> [--environments a,b] [--keys a,b] [--provider …]`:
 * normalize, refuse, write the declaration (component.yaml `secrets`, the source of truth) and,
 * for Sealed Secrets with a certificate, the sealed values; reconcile derives the ExternalSecrets
 * and lists every Secret object; format. The values come from a file and never reach the tree,
 * the output or a log in plain text.
 */
import { logger, Tree } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import { parse as parseEnvFile } from 'dotenv';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Component, SecretDeclaration } from '../../model/component';
import { EnvironmentSettings } from '../../model/environment-settings';
import { environmentFile, secretFile } from '../../model/layout';
import { toYaml } from '../../model/yaml-io';
import { assertDnsLabel, GitopsInputError, oneOf, SECRET_PROVIDERS, SecretProvider } from '../../model/vocabulary';
import { sealedSecret } from '../../manifests/index';
import { editYamlFile } from '../shared/files';
import { parseList, pickEnvironments } from '../shared/options';
import { reconcileTree } from '../shared/reconcile';
import { findComponent, readWorkspace, secretEntry } from '../shared/workspace';
import { seal, sealingKey, strictScopeLabel } from './seal';
import type { SecretGeneratorSchema } from './schema';

export interface NormalizedSecretOptions {
  component: Component;
  secret: SecretDeclaration;
  environments: EnvironmentSettings[];
  provider: SecretProvider;
  cert?: { file: string; pem: string };
  /** The values to seal, by key (only in memory). */
  values?: Record<string, string>;
}

export async function secretGenerator(tree: Tree, schema: SecretGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  if (options.provider === 'sealed-secrets' && !options.values) {
    logger.warn(whatToRun(options));
    return;
  }
  writeDeclaration(tree, options);
  if (options.provider === 'sealed-secrets') writeSealed(tree, options);
  if (options.provider === 'sops') logger.info(sopsSteps(options));
  reconcileTree(tree);
  if (!schema.skipFormat) await formatChangedFiles(tree);
}

export default secretGenerator;

export function normalizeOptions(tree: Tree, schema: SecretGeneratorSchema): NormalizedSecretOptions {
  const name = assertDnsLabel('Secret name', schema.name);
  const ws = readWorkspace(tree);
  const component = findComponent(ws, assertDnsLabel('Component', schema.component));
  const deployed = ws.environments.filter((e) => component.overlays.has(e.name));
  const environments = pickEnvironments(deployed.length ? deployed : ws.environments, parseList(schema.environments));
  for (const env of environments) {
    if (!component.overlays.has(env.name))
      throw new GitopsInputError(
        `Component '${component.name}' is not deployed in '${env.name}'; it is deployed in: ${deployed.map((e) => e.name).join(', ') || '(none)'}.`,
      );
  }
  const provider = chooseProvider(environments, schema.provider);
  const namespace = assertDnsLabel('Namespace', schema.namespace ?? component.secrets.find((s) => s.name === name)?.namespace ?? component.namespace);
  const values = schema.fromEnvFile === undefined ? undefined : readValues(tree, schema.fromEnvFile, provider);
  const existing = component.secrets.find((s) => s.name === name && s.namespace === namespace);
  if (existing?.providedBy)
    throw new GitopsInputError(`Secret '${name}' is created by ${existing.providedBy} (component.yaml providedBy); nothing provides it.`);
  const keys = parseList(schema.keys) ?? (values ? Object.keys(values) : existing?.keys.map((k) => k.name));
  if (!keys || keys.length === 0)
    throw new GitopsInputError(`Secret '${name}' needs its keys: give --keys (e.g. --keys=username,password) or --from-env-file.`);
  if (values) {
    const lacking = keys.filter((k) => !(k in values));
    if (lacking.length)
      throw new GitopsInputError(`${schema.fromEnvFile} has no value for ${lacking.join(', ')}; it must set every key of '${name}'.`);
  }
  const described = new Map(existing?.keys.map((k) => [k.name, k.description]) ?? []);
  const secret: SecretDeclaration = {
    name,
    namespace,
    description: schema.description ?? existing?.description,
    keys: keys.map((k) => ({ name: k, description: described.get(k) ?? '' })),
    line: 0,
  };
  if (schema.cert !== undefined && environments.length !== 1) {
    throw new GitopsInputError(
      `--cert seals for one cluster; give the one environment it belongs to with --environments (got ${environments.map((e) => e.name).join(', ')}).`,
    );
  }
  const cert = schema.cert === undefined ? undefined : { file: schema.cert, pem: readFileSync(resolve(tree.root, schema.cert), 'utf-8') };
  if (values && !cert)
    throw new GitopsInputError(`--from-env-file needs --cert: the values are sealed with the controller's certificate, never written as they are.`);
  return { component, secret, environments, provider, ...(cert ? { cert } : {}), ...(values && cert ? { values } : {}) };
}

/** Every chosen environment must use one provider, and the one asked for when --provider is given. */
function chooseProvider(environments: EnvironmentSettings[], asked: string | undefined): SecretProvider {
  const wanted = asked === undefined ? undefined : oneOf('Provider', asked, SECRET_PROVIDERS);
  const used = [...new Set(environments.map((e) => e.secrets))];
  const provider = wanted ?? used[0];
  const other = environments.find((e) => e.secrets !== provider);
  if (other) {
    throw new GitopsInputError(
      `Environment '${other.name}' gets its Secrets from ${other.secrets}, not ${provider}; choose environments of one provider with --environments, or set secretsProvider in ${environmentFile(other.name)}.`,
    );
  }
  return provider;
}

function readValues(tree: Tree, file: string, provider: SecretProvider): Record<string, string> {
  if (provider !== 'sealed-secrets')
    throw new GitopsInputError(`--from-env-file is for Sealed Secrets; ${provider} reads the values from where they are kept, not from the tree.`);
  return parseEnvFile(readFileSync(resolve(tree.root, file)));
}

/** component.yaml `secrets`: the entry is added, or its keys and description updated, in place. */
function writeDeclaration(tree: Tree, { component, secret }: NormalizedSecretOptions): void {
  editYamlFile(tree, component.file, (doc) => {
    const list = (doc.get('secrets') as { items?: unknown[] } | undefined)?.items ? (doc.toJS().secrets as Record<string, unknown>[]) : [];
    const entry = secretEntry(component, secret);
    const at = list.findIndex((s) => s.name === secret.name && (s.namespace ?? component.namespace) === secret.namespace);
    if (at === -1) {
      if (!doc.has('secrets')) doc.set('secrets', doc.createNode([]));
      (doc.get('secrets') as { add(v: unknown): void }).add(doc.createNode(entry));
    } else {
      for (const [k, v] of Object.entries(entry)) doc.setIn(['secrets', at, k], doc.createNode(v));
    }
  });
}

function writeSealed(tree: Tree, o: NormalizedSecretOptions): void {
  const key = sealingKey(o.cert!.pem, o.cert!.file);
  const label = strictScopeLabel(o.secret.namespace, o.secret.name);
  const encryptedData = Object.fromEntries(o.secret.keys.map((k) => [k.name, seal(key, Buffer.from(o.values![k.name]), label)]));
  const env = o.environments[0].name;
  const path = secretFile(env, o.secret.namespace, o.secret.name);
  tree.write(
    path,
    toYaml(
      sealedSecret(o.secret, encryptedData),
      `Secret ${o.secret.name} of ${o.component.name} in ${env}, sealed for that cluster's controller (nx g @mlops/gitops:secret).`,
    ),
  );
  logger.info(`${path}: sealed ${o.secret.keys.length} key(s) for ${env} (strict scope: ${o.secret.namespace}/${o.secret.name}).`);
}

/** Without the controller's certificate nothing is written: what to run instead. */
function whatToRun(o: NormalizedSecretOptions): string {
  const { secret, component } = o;
  return [
    `Nothing written: sealing '${secret.name}' needs each cluster's sealed-secrets certificate and a file with the values. For each environment, run:`,
    ...o.environments.map(
      (e) =>
        `  kubeseal --fetch-cert --controller-name sealed-secrets-controller --controller-namespace platform-operators > ${e.name}.pem   # with the ${e.name} cluster's context\n` +
        `  npx nx g @mlops/gitops:secret ${secret.name} --component=${component.name} --environments=${e.name} --cert=${e.name}.pem --from-env-file=<file with ${secret.keys.map((k) => k.name).join(', ')}>`,
    ),
  ].join('\n');
}

function sopsSteps(o: NormalizedSecretOptions): string {
  return [
    `Declared '${o.secret.name}'. SOPS files are encrypted where the keys are; for each environment, write the Secret and encrypt it in place:`,
    ...o.environments.map(
      (e) => `  sops --encrypt --in-place ${secretFile(e.name, o.secret.namespace, o.secret.name)}   # creation rules in .sops.yaml`,
    ),
  ].join('\n');
}
