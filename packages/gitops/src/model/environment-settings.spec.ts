import { defaultSettings, parseEnvironmentSettings, resolveSettings } from './environment-settings';

describe('resolveSettings', () => {
  it('explicit keys win over the production defaults', () => {
    expect(resolveSettings({ sync: 'auto', pinVersions: false, size: 'small' }, 'production', { defaultEngines: ['argocd'] })).toEqual({
      name: 'production', engines: ['argocd'], sync: 'auto', prune: true, selfHeal: true, pinVersions: false, size: 'small',
    });
  });

  it('a production environment.yaml without keys is manual, pinned, large, and takes the platform engine', () => {
    expect(parseEnvironmentSettings('gitops/clusters/production/environment.yaml', '# nothing set\n', 'production', { defaultEngines: ['flux', 'argocd'] })).toEqual({
      name: 'production', engines: ['flux', 'argocd'], sync: 'manual', prune: false, selfHeal: false, pinVersions: true, size: 'large',
    });
  });

  it('names the file and the allowed values of a wrong setting', () => {
    expect(() => parseEnvironmentSettings('gitops/clusters/qa/environment.yaml', 'size: huge\n', 'qa')).toThrow(
      "Size in gitops/clusters/qa/environment.yaml 'huge' is not allowed; must be one of: small, medium, large.",
    );
  });

  it('new environments get the same defaults, plus where they promote from', () => {
    expect(defaultSettings('production', ['flux'])).toEqual({ ...resolveSettings({}, 'production'), promotesFrom: 'staging' });
    expect(defaultSettings('qa', ['flux'])).toEqual(resolveSettings({}, 'qa'));
  });
});
