import { execFileSync } from 'node:child_process';

/**
 * Writes `plain` (a PEM private key) encrypted with `passphrase` to `out`, as an admin's OpenSSL
 * does: `openssl <how…> -in <plain> -passout pass:<passphrase> -out <out>`, e.g. how =
 * ['pkcs8', '-topk8', '-v2', 'aes-256-cbc'] or ['pkey', '-aes256']. OpenSSL's errors are thrown.
 */
export function opensslEncryptKey(plain: string, out: string, passphrase: string, how: string[]): void {
  execFileSync('openssl', [...how, '-in', plain, '-passout', `pass:${passphrase}`, '-out', out], {
    stdio: 'pipe',
  });
}
