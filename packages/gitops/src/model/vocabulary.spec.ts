import { assertChartVersion, assertDnsLabel, GitopsInputError, oneOf, repoKind, SYNC_MODES } from './vocabulary';

describe('names', () => {
  it('accepts DNS-1123 labels', () => {
    expect(assertDnsLabel('Component name', 'redis-operator')).toBe('redis-operator');
  });

  it.each([
    ['Redis', 'is not a DNS-1123 label'],
    ['-redis', 'is not a DNS-1123 label'],
    ['redis_operator', 'is not a DNS-1123 label'],
    ['a'.repeat(64), 'is not a DNS-1123 label'],
    ['../etc', 'would escape the gitops tree'],
    ['a/b', 'would escape the gitops tree'],
  ])('refuses %p', (value, reason) => {
    expect(() => assertDnsLabel('Component name', value)).toThrow(new RegExp(`Component name '.*' ${reason}`));
  });
});

describe('closed sets', () => {
  it('names the value and the allowed set', () => {
    expect(() => oneOf('Sync mode', 'sometimes', SYNC_MODES)).toThrow("Sync mode 'sometimes' is not allowed; must be one of: auto, manual.");
    expect(() => oneOf('Sync mode', 'sometimes', SYNC_MODES)).toThrow(GitopsInputError);
  });
});

describe('versions and repositories', () => {
  it('accepts exact versions and ranges, refuses the rest', () => {
    expect(assertChartVersion('1.2.3')).toBe('1.2.3');
    expect(assertChartVersion('1.2.x')).toBe('1.2.x');
    expect(() => assertChartVersion('latest')).toThrow("Chart version 'latest' is not semver");
  });

  it('tells https Helm repositories from OCI registries', () => {
    expect(repoKind('https://charts.bitnami.com/bitnami')).toBe('helm');
    expect(repoKind('oci://ghcr.io/prometheus-community/charts')).toBe('oci');
    expect(() => repoKind('http://insecure.example.com')).toThrow("Repository 'http://insecure.example.com' is neither");
    expect(() => repoKind('git@github.com:org/repo')).toThrow('neither an https:// Helm repository nor an oci:// registry');
  });
});
