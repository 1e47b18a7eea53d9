import { Tree } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { constants, createDecipheriv, generateKeyPairSync, KeyObject, privateDecrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import componentGenerator from '../component/component';
import { reconcileTree } from '../shared/reconcile';
import { changedFiles, createGitopsTree, snapshot } from '../shared/testing';
import secretGenerator from './secret';

const PRODUCTION_ENV = 'gitops/clusters/production/environment.yaml';
const FAKE_USER = 'not-a-real-user';
const FAKE_PASSWORD = 'not-a-real-password-0123';

/** What the sealed-secrets controller does with a value: the test's private key is the controller's. */
function unseal(privateKey: KeyObject, sealed: string, label: string): string {
  const bytes = Buffer.from(sealed, 'base64');
  const rsaLength = bytes.readUInt16BE(0);
  const sessionKey = privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label) },
    bytes.subarray(2, 2 + rsaLength),
  );
  const body = bytes.subarray(2 + rsaLength);
  const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString();
}

function useSealedSecretsIn(tree: Tree, env: string): void {
  const path = `gitops/clusters/${env}/environment.yaml`;
  tree.write(path, tree.read(path, 'utf-8')! + 'secretsProvider: sealed-secrets\n');
}

describe('secret generator', () => {
  let tree: Tree;
  let dir: string;
  beforeEach(async () => {
    tree = await createGitopsTree();
    await componentGenerator(tree, { name: 'external-secrets' });
    await componentGenerator(tree, { name: 'sealed-secrets' });
    await componentGenerator(tree, { name: 'kube-prometheus-stack' });
    dir = mkdtempSync(join(tmpdir(), 'secret-spec-'));
  }, 60_000);
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('with External Secrets (the default)', () => {
    it("the blueprint's Secrets get an ExternalSecret in every environment, from the store platform.yaml names", () => {
      for (const env of ['development', 'staging', 'production']) {
        const es = parse(tree.read(`gitops/clusters/${env}/secrets/observability.grafana-admin.yaml`, 'utf-8')!);
        expect(es.apiVersion).toBe('external-secrets.io/v1');
        expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'platform-secrets' });
        expect(es.spec.data.map((d: { secretKey: string }) => d.secretKey)).toEqual(['admin-user', 'admin-password']);
        expect(es.spec.data[0].remoteRef).toEqual({ key: `${env}/grafana-admin`, property: 'admin-user' });
        // Applied after the operator, and the component waits for it.
        expect(parse(tree.read(`gitops/clusters/${env}/flux/platform-secrets.yaml`, 'utf-8')!).spec.dependsOn).toEqual([
          { name: 'external-secrets' },
        ]);
        expect(parse(tree.read(`gitops/clusters/${env}/flux/kube-prometheus-stack.yaml`, 'utf-8')!).spec.dependsOn).toEqual([
          { name: 'platform-secrets' },
        ]);
      }
    });

    it('adds a Secret to component.yaml and derives its ExternalSecrets; a second run changes nothing', async () => {
      await secretGenerator(tree, { name: 'grafana-oauth', component: 'kube-prometheus-stack', keys: 'client-id,client-secret' });
      const config = parse(tree.read('gitops/components/observability/kube-prometheus-stack/component.yaml', 'utf-8')!);
      expect(config.secrets.map((s: { name: string }) => s.name)).toEqual(['grafana-admin', 'grafana-oauth']);
      expect(tree.exists('gitops/clusters/production/secrets/observability.grafana-oauth.yaml')).toBe(true);
      const before = snapshot(tree);
      await secretGenerator(tree, { name: 'grafana-oauth', component: 'kube-prometheus-stack', keys: 'client-id,client-secret' });
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });

    it('refuses a provider the environments do not use, and a Secret without keys', async () => {
      await expect(secretGenerator(tree, { name: 'x', component: 'kube-prometheus-stack', keys: 'a', provider: 'sealed-secrets' })).rejects.toThrow(
        "Environment 'development' gets its Secrets from external-secrets, not sealed-secrets; choose environments of one provider with --environments, or set secretsProvider in gitops/clusters/development/environment.yaml.",
      );
      await expect(secretGenerator(tree, { name: 'x', component: 'kube-prometheus-stack' })).rejects.toThrow(
        "Secret 'x' needs its keys: give --keys (e.g. --keys=username,password) or --from-env-file.",
      );
    });
  });

  describe('with Sealed Secrets', () => {
    beforeEach(() => {
      useSealedSecretsIn(tree, 'production');
      reconcileTree(tree);
    });

    it('production then has no ExternalSecret, and the declared Secret is missing until it is sealed', () => {
      expect(tree.exists('gitops/clusters/production/secrets/observability.grafana-admin.yaml')).toBe(false);
      expect(parse(tree.read('gitops/clusters/production/flux/platform-secrets.yaml', 'utf-8')!).spec.dependsOn).toEqual([
        { name: 'sealed-secrets' },
      ]);
    });

    it('without a certificate it writes nothing and says what to run', async () => {
      const before = snapshot(tree);
      await secretGenerator(tree, { name: 'grafana-admin', component: 'kube-prometheus-stack', environments: 'production' });
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
      expect(tree.listChanges().filter((c) => c.path.startsWith('gitops/clusters/production/secrets/observability'))).toEqual([]);
    });

    it('seals each value in-process so that the controller (the test key) unseals it, strict scope; no value reaches the tree', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const cert = join(dir, 'production.pem');
      writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      try {
        // A self-signed certificate, as the controller publishes (kubeseal --fetch-cert).
        execFileSync('openssl', ['req', '-x509', '-key', join(dir, 'key.pem'), '-subj', '/CN=sealed-secret-test', '-days', '1', '-out', cert], {
          stdio: 'ignore',
        });
      } catch {
        writeFileSync(cert, publicKey.export({ type: 'spki', format: 'pem' }));
      }
      const values = join(dir, 'grafana.env');
      writeFileSync(values, `admin-user=${FAKE_USER}\nadmin-password=${FAKE_PASSWORD}\n`);
      await secretGenerator(tree, {
        name: 'grafana-admin',
        component: 'kube-prometheus-stack',
        environments: 'production',
        cert,
        fromEnvFile: values,
      });

      const path = 'gitops/clusters/production/secrets/observability.grafana-admin.yaml';
      const sealed = parse(tree.read(path, 'utf-8')!);
      expect(sealed.apiVersion).toBe('bitnami.com/v1alpha1');
      expect(sealed.kind).toBe('SealedSecret');
      expect(sealed.metadata).toEqual({ name: 'grafana-admin', namespace: 'observability' });
      expect(unseal(privateKey, sealed.spec.encryptedData['admin-user'], 'observability/grafana-admin')).toBe(FAKE_USER);
      expect(unseal(privateKey, sealed.spec.encryptedData['admin-password'], 'observability/grafana-admin')).toBe(FAKE_PASSWORD);
      // Bound to its name and namespace: under another label it does not unseal.
      expect(() => unseal(privateKey, sealed.spec.encryptedData['admin-password'], 'observability/other')).toThrow();
      expect(parse(tree.read('gitops/clusters/production/secrets/kustomization.yaml', 'utf-8')!).resources).toEqual([
        'observability.grafana-admin.yaml',
      ]);
      for (const text of Object.values(snapshot(tree))) expect(text).not.toContain(FAKE_PASSWORD);
    });

    it('refuses one certificate for several environments, and values without a certificate', async () => {
      useSealedSecretsIn(tree, 'staging');
      await expect(
        secretGenerator(tree, {
          name: 'grafana-admin',
          component: 'kube-prometheus-stack',
          environments: 'staging,production',
          cert: join(dir, 'none.pem'),
        }),
      ).rejects.toThrow('--cert seals for one cluster; give the one environment it belongs to with --environments (got staging, production).');
      writeFileSync(join(dir, 'v.env'), `admin-user=${FAKE_USER}\nadmin-password=${FAKE_PASSWORD}\n`);
      await expect(
        secretGenerator(tree, {
          name: 'grafana-admin',
          component: 'kube-prometheus-stack',
          environments: 'production',
          fromEnvFile: join(dir, 'v.env'),
        }),
      ).rejects.toThrow("--from-env-file needs --cert: the values are sealed with the controller's certificate, never written as they are.");
    });
  });

  it('refuses SOPS where Argo CD deploys, with the reason', () => {
    tree.write(
      'gitops/clusters/staging/environment.yaml',
      tree.read('gitops/clusters/staging/environment.yaml', 'utf-8')!.replace('  - flux', '  - argocd') + 'secretsProvider: sops\n',
    );
    return expect(secretGenerator(tree, { name: 'x', component: 'kube-prometheus-stack', keys: 'a' })).rejects.toThrow(
      "Secret provider 'sops' is refused for environment 'staging', which Argo CD deploys: Argo CD's documentation advises against decrypting secrets while it generates manifests",
    );
  });

  it('SOPS on Flux: the secrets Kustomization decrypts with the sops-age key', () => {
    // An all-zero key in valid bech32: obviously nobody's.
    const recipient = 'age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq5cu47z';
    tree.write(PRODUCTION_ENV, tree.read(PRODUCTION_ENV, 'utf-8')! + `secretsProvider: sops\nsops:\n  age: [${recipient}]\n`);
    reconcileTree(tree);
    expect(parse(tree.read('.sops.yaml', 'utf-8')!).creation_rules).toEqual([expect.objectContaining({ age: recipient })]);
    const entry = parse(tree.read('gitops/clusters/production/flux/platform-secrets.yaml', 'utf-8')!);
    expect(entry.spec.decryption).toEqual({ provider: 'sops', secretRef: { name: 'sops-age' } });
    expect(entry.spec.dependsOn).toBeUndefined();
  });
});
