/**
 * SOPS recipients: who may decrypt an environment's SOPS-encrypted Secrets. Written once in
 * platform.yaml (`secrets.sops`), replaced for one environment by its environment.yaml `sops`;
 * derive turns them into the creation rules of `.sops.yaml` (derive/sops.ts).
 */
import { bech32 } from 'bech32';
import { GitopsInputError } from './vocabulary';

export interface SopsRecipients {
  /** age public keys (age1…): the cluster's key (the Secret sops-age in flux-system) and the people who encrypt. */
  age: string[];
  /** OpenPGP fingerprints (40 or 64 hex digits), for teams that still use GnuPG. */
  pgp: string[];
}

/** The kinds of recipient, in the order `.sops.yaml` lists them. */
export const SOPS_RECIPIENT_KINDS = ['age', 'pgp'] as const;

/** age's native X25519 recipient: bech32 with the prefix "age" over a 32-byte public key. */
const AGE_KEY_BYTES = 32;
/** Plugin recipients (age1yubikey1…, age1pq1… of the post-quantum keys) are longer than bech32's usual 90. */
const AGE_MAX_LENGTH = 4096;
const PGP_FINGERPRINT = /^([0-9A-F]{40}|[0-9A-F]{64})$/i;

/** Why `value` is not an age recipient, or undefined when it is one. */
export function ageRecipientProblem(value: string): string | undefined {
  if (!value.startsWith('age1')) return 'it does not start with age1';
  let decoded;
  try {
    decoded = bech32.decode(value, AGE_MAX_LENGTH);
  } catch (e) {
    return `it is not bech32 (${(e as Error).message})`;
  }
  if (decoded.prefix === 'age') {
    const bytes = bech32.fromWordsUnsafe(decoded.words);
    return bytes?.length === AGE_KEY_BYTES
      ? undefined
      : `an X25519 recipient holds ${AGE_KEY_BYTES} bytes, this one ${bytes?.length ?? 'an invalid number of'}`;
  }
  // A plugin's recipient: age1<plugin name>1<data>.
  return /^age1[a-z0-9-]+$/.test(decoded.prefix) ? undefined : `its prefix '${decoded.prefix}' is neither age nor age1<plugin>`;
}

/**
 * Reads a recipients mapping (`{ age: [age1…], pgp: [fingerprint] }`); `where` names the file and key
 * for messages. Undefined when the key is absent. Throws on anything that is not a recipient.
 */
export function parseSopsRecipients(where: string, raw: unknown): SopsRecipients | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new GitopsInputError(`${where} must be a mapping with 'age' (age1… public keys) and/or 'pgp' (fingerprints); got ${JSON.stringify(raw)}.`);
  }
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(SOPS_RECIPIENT_KINDS as readonly string[]).includes(k));
  if (unknown.length) throw new GitopsInputError(`${where}: key '${unknown[0]}' is not allowed; must be one of: ${SOPS_RECIPIENT_KINDS.join(', ')}.`);
  const list = (kind: string): string[] => {
    const v = o[kind] ?? [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw new GitopsInputError(`${where}.${kind} must be a list of strings (quote a fingerprint of digits only); got ${JSON.stringify(v)}.`);
    }
    return [...new Set(v.map((x: string) => x.trim()))];
  };
  const age = list('age');
  for (const r of age) {
    const problem = ageRecipientProblem(r);
    if (problem)
      throw new GitopsInputError(`${where}.age: '${r}' is not an age recipient: ${problem}; give the public key age-keygen prints (age1…).`);
  }
  const pgp = list('pgp').map((f) => f.replace(/\s+/g, ''));
  for (const f of pgp) {
    if (!PGP_FINGERPRINT.test(f)) throw new GitopsInputError(`${where}.pgp: '${f}' is not an OpenPGP fingerprint; give its 40 (or 64) hex digits.`);
  }
  return { age, pgp };
}

export function hasRecipients(r: SopsRecipients | undefined): r is SopsRecipients {
  return r !== undefined && r.age.length + r.pgp.length > 0;
}

/** The recipients as a file holds them: only the kinds that have any. */
export function recipientsForFile(r: SopsRecipients): Partial<SopsRecipients> {
  return Object.fromEntries(SOPS_RECIPIENT_KINDS.filter((k) => r[k].length > 0).map((k) => [k, r[k]]));
}
