/**
 * Secrets, layout mode: every Secret a deployed component declares (component.yaml `secrets`,
 * except those an operator creates) has its provider's object in each environment that deploys
 * the component, in the Secret's namespace: an ExternalSecret, a SealedSecret or a SOPS-encrypted
 * Secret in `clusters/<env>/secrets/`. A missing one is `secret-missing`, at the declaration.
 */
import { providedSecrets, SecretDeclaration } from '../../model/component';
import { EnvironmentSettings } from '../../model/environment-settings';
import { secretFile, secretsDir } from '../../model/layout';
import { TreeModel } from '../../model/tree-model';
import { loadYamlFile } from '../../model/yaml-io';
import { deployedIn, TreeView, yamlFilesIn } from '../../derive/index';
import { Finding } from '../types';

/** `namespace/name` of every provider object in an environment's secrets folder. */
function providedIn(view: TreeView, env: string): Set<string> {
  const dir = secretsDir(env);
  const found = new Set<string>();
  for (const f of yamlFilesIn(view, dir)) {
    const parsed = loadYamlFile(`${dir}/${f}`, view.read(`${dir}/${f}`) ?? '');
    for (const d of parsed.documents) {
      const o = d.value as { kind?: unknown; apiVersion?: unknown; metadata?: { name?: unknown; namespace?: unknown }; sops?: unknown } | null;
      if (o && isProviderObject(o)) found.add(`${String(o.metadata?.namespace ?? '')}/${String(o.metadata?.name ?? '')}`);
    }
  }
  return found;
}

function isProviderObject(o: { kind?: unknown; apiVersion?: unknown; sops?: unknown }): boolean {
  const group = String(o.apiVersion ?? '').split('/')[0];
  if (o.kind === 'ExternalSecret') return group === 'external-secrets.io';
  if (o.kind === 'SealedSecret') return group === 'bitnami.com';
  return o.kind === 'Secret' && o.sops !== undefined && o.sops !== null;
}

export function checkSecrets(view: TreeView, model: TreeModel): Finding[] {
  const out: Finding[] = [];
  for (const { resolved: env } of model.environments.values()) {
    if (!env) continue;
    let provided: Set<string> | undefined;
    for (const c of deployedIn(model, env.name)) {
      for (const secret of providedSecrets(c)) {
        provided ??= providedIn(view, env.name);
        if (!provided.has(`${secret.namespace}/${secret.name}`)) out.push(missing(c.name, c.file, secret, env));
      }
    }
  }
  return out;
}

function missing(component: string, file: string, secret: SecretDeclaration, env: EnvironmentSettings): Finding {
  const expected = secretFile(env.name, secret.namespace, secret.name);
  return {
    target: '',
    file,
    line: secret.line || 1,
    rule: 'secret-missing',
    severity: 'error',
    message:
      `Secret '${secret.name}' (namespace ${secret.namespace}) that ${component} declares has no ExternalSecret, SealedSecret ` +
      `or SOPS-encrypted Secret in ${env.name} (${env.secrets}); expected in ${expected}.`,
    hint: provideHint(component, secret, env),
  };
}

function provideHint(component: string, secret: SecretDeclaration, env: EnvironmentSettings): string {
  switch (env.secrets) {
    case 'external-secrets':
      return 'Run `npx nx sync`: it derives the ExternalSecret from component.yaml.';
    case 'sealed-secrets':
      return (
        `Seal it: npx nx g @mlops/gitops:secret ${secret.name} --component=${component} --environments=${env.name} ` +
        `--cert=<${env.name} controller certificate> --from-env-file=<file with ${secret.keys.map((k) => k.name).join(', ')}>`
      );
    default:
      return `Encrypt a Secret '${secret.name}' with sops (creation rules in .sops.yaml) into ${secretFile(env.name, secret.namespace, secret.name)}.`;
  }
}
