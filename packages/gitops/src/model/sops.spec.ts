import { ageRecipientProblem, parseSopsRecipients } from './sops';

// Valid bech32 over all-zero bytes: obviously not anyone's key.
const FAKE_AGE = 'age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq5cu47z';
const WHERE = 'gitops/platform.yaml: secrets.sops';

describe('age recipients', () => {
  it('accepts an X25519 recipient and a plugin recipient, by their bech32 checksum', () => {
    expect(ageRecipientProblem(FAKE_AGE)).toBeUndefined();
    expect(ageRecipientProblem('age1fake1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqr4gt80')).toBeUndefined();
  });

  it.each([
    ['a typo (checksum)', FAKE_AGE.replace(/z$/, 'q'), 'it is not bech32'],
    ['a secret key', 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ', 'it does not start with age1'],
    ['an ssh key', 'ssh-ed25519 AAAA', 'it does not start with age1'],
    ['a key of 31 bytes', 'age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqar9jk6', 'an X25519 recipient holds 32 bytes, this one 31'],
  ])('refuses %s', (_what, value, problem) => {
    expect(ageRecipientProblem(value)).toContain(problem);
  });
});

describe('parseSopsRecipients', () => {
  it('reads age and pgp lists, removing duplicates and spaces in fingerprints', () => {
    expect(parseSopsRecipients(WHERE, { age: [FAKE_AGE, FAKE_AGE], pgp: ['0000 0000 0000 0000 0000  0000 0000 0000 0000 0000'] })).toEqual({
      age: [FAKE_AGE],
      pgp: ['0000000000000000000000000000000000000000'],
    });
    expect(parseSopsRecipients(WHERE, undefined)).toBeUndefined();
  });

  it('names the file, the key and the bad value', () => {
    expect(() => parseSopsRecipients(WHERE, { age: ['age1notakey'] })).toThrow(
      "gitops/platform.yaml: secrets.sops.age: 'age1notakey' is not an age recipient: it is not bech32",
    );
    expect(() => parseSopsRecipients(WHERE, { pgp: ['ABC'] })).toThrow("gitops/platform.yaml: secrets.sops.pgp: 'ABC' is not an OpenPGP fingerprint");
    expect(() => parseSopsRecipients(WHERE, { kms: ['arn'] })).toThrow(
      "gitops/platform.yaml: secrets.sops: key 'kms' is not allowed; must be one of: age, pgp.",
    );
    expect(() => parseSopsRecipients(WHERE, 'age1x')).toThrow('gitops/platform.yaml: secrets.sops must be a mapping');
  });
});
