import { defaultSettings, parseEnvironmentSettings, resolveSettings } from './environment-settings';

describe('resolveSettings', () => {
  it('explicit keys win over the production defaults', () => {
    expect(resolveSettings({ sync: 'auto', pinVersions: false, size: 'small' }, 'production', { defaultEngines: ['argocd'] })).toEqual({
      name: 'production', engines: ['argocd'], sync: 'auto', prune: true, selfHeal: true, pinVersions: false, size: 'small', secrets: 'external-secrets',
    });
  });

  it('a production environment.yaml without keys is manual, pinned, large, and takes the platform engine', () => {
    expect(parseEnvironmentSettings('gitops/clusters/production/environment.yaml', '# nothing set\n', 'production', { defaultEngines: ['flux', 'argocd'] })).toEqual({
      name: 'production', engines: ['flux', 'argocd'], sync: 'manual', prune: false, selfHeal: false, pinVersions: true, size: 'large', secrets: 'external-secrets',
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
    expect(parseEnvironmentSettings(path, 'release: v1.4.0\n', 'production', platform)).toMatchObject({ release: 'v1.4.0', secrets: 'sealed-secrets' });
    expect(parseEnvironmentSettings(path, 'secretsProvider: sops\n', 'production', platform)).toMatchObject({ secretsProvider: 'sops', secrets: 'sops' });
    expect(() => parseEnvironmentSettings(path, 'release: "v1..4"\n', 'production')).toThrow("Release tag 'v1..4' is not a Git tag name");
    expect(() => parseEnvironmentSettings(path, 'engines: [argocd]\nsecretsProvider: sops\n', 'production')).toThrow(
      "Secret provider 'sops' is refused for environment 'production', which Argo CD deploys: Argo CD's documentation advises against decrypting secrets while it generates manifests",
    );
  });

  it('new environments get the same defaults, plus where they promote from', () => {
    expect(defaultSettings('production', ['flux'])).toEqual({ ...resolveSettings({}, 'production'), promotesFrom: 'staging' });
    expect(defaultSettings('qa', ['flux'])).toEqual(resolveSettings({}, 'qa'));
  });
});
