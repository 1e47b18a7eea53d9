/**
 * Sealing a value the way the sealed-secrets controller unseals it (its documented hybrid scheme):
 * a random 32-byte AES-256-GCM session key encrypts the value (no nonce is needed, the key is used
 * once, so the nonce is all zeros); RSA-OAEP with SHA-256 encrypts the session key under the
 * controller's public key, with the scope as the OAEP label; the output is the length of the RSA
 * part (2 bytes, big-endian), the RSA part, then the AES-GCM ciphertext with its tag.
 */
import { constants, createCipheriv, createPublicKey, KeyObject, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { GitopsInputError } from '../../model/vocabulary';

const SESSION_KEY_BYTES = 32;
const GCM_NONCE = Buffer.alloc(12);

/** The label of the strict scope (the default of kubeseal): the value unseals only as this name in this namespace. */
export function strictScopeLabel(namespace: string, name: string): Buffer {
  return Buffer.from(`${namespace}/${name}`);
}

/** The controller's public key from its certificate (`kubeseal --fetch-cert`) or a PEM public key. */
export function sealingKey(pem: string, file: string): KeyObject {
  try {
    return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch (e) {
    throw new GitopsInputError(
      `${file} is not a PEM certificate or public key (${(e as Error).message}); fetch it with 'kubeseal --fetch-cert > ${file}'.`,
    );
  }
}

export function seal(key: KeyObject, plaintext: Buffer, label: Buffer): string {
  if (key.asymmetricKeyType !== 'rsa')
    throw new GitopsInputError(`The sealing certificate holds a ${key.asymmetricKeyType} key; the sealed-secrets controller uses RSA.`);
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  const wrapped = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label }, sessionKey);
  const cipher = createCipheriv('aes-256-gcm', sessionKey, GCM_NONCE);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(wrapped.length);
  return Buffer.concat([length, wrapped, body]).toString('base64');
}
