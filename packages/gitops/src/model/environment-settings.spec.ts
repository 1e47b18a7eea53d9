import { defaultSettings, environmentSettingsYaml, parseEnvironmentSettings, resolveSettings } from './environment-settings';

// Valid bech32 over all-zero / all-one bytes: obviously not anyone's key.
const FAKE_AGE = 'age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq5cu47z';
const FAKE_AGE_2 = 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq';

describe('resolveSettings', () => {
  it('explicit keys win over the production defaults', () => {
    expect(resolveSettings({ sync: 'auto', pinVersions: false, size: 'small' }, 'production', { defaultEngines: ['argocd'] })).toEqual({
      name: 'production',
      engines: ['argocd'],
      sync: 'auto',
      prune: true,
      selfHeal: true,
      pinVersions: false,
      size: 'small',
      secrets: 'external-secrets',
    });
  });

  it('a production environment.yaml without keys is manual, pinned, large, and takes the platform engine', () => {
    expect(
      parseEnvironmentSettings('gitops/clusters/production/environment.yaml', '# nothing set\n', 'production', {
        defaultEngines: ['flux', 'argocd'],
      }),
    ).toEqual({
      name: 'production',
      engines: ['flux', 'argocd'],
      sync: 'manual',
      prune: false,
      selfHeal: false,
      pinVersions: true,
      size: 'large',
      secrets: 'external-secrets',
    });
  });

  it('names the file and the allowed values of a wrong setting', () => {
    expect(() => parseEnvironmentSettings('gitops/clusters/qa/environment.yaml', 'size: huge\n', 'qa')).toThrow(
      "Size in gitops/clusters/qa/environment.yaml 'huge' is not allowed; must be one of: small, medium, large.",
    );
  });

  it('reads the release tag and the secret provider, and refuses SOPS where Argo CD deploys, saying why', () => {
    const path = 'gitops/clusters/production/environment.yaml';
    const platform = { defaultEngines: ['flux' as const], secrets: { provider: 'sealed-secrets' as const, store: 'platform-secrets' } };
    expect(parseEnvironmentSettings(path, 'release: v1.4.0\n', 'production', platform)).toMatchObject({
      release: 'v1.4.0',
      secrets: 'sealed-secrets',
    });
    expect(parseEnvironmentSettings(path, `secretsProvider: sops\nsops:\n  age: [${FAKE_AGE}]\n`, 'production', platform)).toMatchObject({
      secretsProvider: 'sops',
      secrets: 'sops',
      sopsRecipients: { age: [FAKE_AGE], pgp: [] },
    });
    expect(() => parseEnvironmentSettings(path, 'release: "v1..4"\n', 'production')).toThrow("Release tag 'v1..4' is not a Git tag name");
    expect(() => parseEnvironmentSettings(path, 'engines: [argocd]\nsecretsProvider: sops\n', 'production')).toThrow(
      "Secret provider 'sops' is refused for environment 'production', which Argo CD deploys: Argo CD's documentation advises against decrypting secrets while it generates manifests",
    );
  });

  it('takes the SOPS recipients from platform.yaml unless the environment replaces them, and refuses an environment with none', () => {
    const path = 'gitops/clusters/production/environment.yaml';
    const platform = {
      defaultEngines: ['flux' as const],
      secrets: { provider: 'sops' as const, store: 'platform-secrets', sops: { age: [FAKE_AGE], pgp: [] } },
    };
    expect(parseEnvironmentSettings(path, '', 'production', platform).sopsRecipients).toEqual({ age: [FAKE_AGE], pgp: [] });
    expect(parseEnvironmentSettings(path, `sops:\n  age: [${FAKE_AGE_2}]\n`, 'production', platform).sopsRecipients).toEqual({
      age: [FAKE_AGE_2],
      pgp: [],
    });
    expect(() => parseEnvironmentSettings(path, '', 'production', { ...platform, secrets: { provider: 'sops', store: 'platform-secrets' } })).toThrow(
      "Environment 'production' gets its Secrets from sops but names no recipient to encrypt them for; set 'secrets.sops.age' in gitops/platform.yaml (or 'sops.age' in gitops/clusters/production/environment.yaml for this environment alone)",
    );
    // Recipients of an environment that does not use sops are read (and checked) but derive nothing.
    expect(
      parseEnvironmentSettings(path, `secretsProvider: external-secrets\nsops:\n  age: [${FAKE_AGE}]\n`, 'production', platform).sopsRecipients,
    ).toBeUndefined();
  });

  it('writes the recipients of environment.yaml back as it reads them', () => {
    const settings = parseEnvironmentSettings('e.yaml', `secretsProvider: sops\nsops:\n  age: [${FAKE_AGE}]\n`, 'qa');
    expect(parseEnvironmentSettings('e.yaml', environmentSettingsYaml(settings), 'qa')).toEqual(settings);
  });

  it('new environments get the same defaults, plus where they promote from', () => {
    expect(defaultSettings('production', ['flux'])).toEqual({ ...resolveSettings({}, 'production'), promotesFrom: 'staging' });
    expect(defaultSettings('qa', ['flux'])).toEqual(resolveSettings({}, 'qa'));
  });
});
