import { type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { CertificateSummary } from '../../../../contract/certificate.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import { readNamedFile } from '../../core/answers/unreadable-file.js';
import type { KeyPassphrase } from '../../core/certificate/index.js';
import { runCommand, UsageError } from '../output.js';
import type { RegisterCommand } from './index.js';

const MAX_INPUT_BYTES = 1024 * 1024;

// The certificate code (node-forge, zod schemas) loads only when a cert command runs: the CLI starts faster.
const certificates = () => import('../../core/certificate/index.js');
const schemas = () => import('../../../../contract/certificate.js');

/** A repeatable option's values, in order. */
const collect = (value: string, previous: string[] = []) => [...previous, value];
/** The Certificate page's trust and CN rules, shared by `cert check` and `cert assemble`. */
const trustRootOption = () =>
  new Option(
    '--trust-root <pem>',
    'also trust this private root CA (not publicly trusted; repeatable)',
  ).argParser(collect);
const previousCnOption = () =>
  new Option('--previous-cn <cn>', 'the CN of the current deployment: the certificate must keep it');

/**
 * `hds-setup cert check|csr|assemble`: the Certificate page from a terminal, with the same rules
 * and codes. Exit 0 usable (warnings on stderr), 1 refused, 2 usage.
 */
export const registerCert: RegisterCommand = (program: Command, setExit) => {
  const cert = program.command('cert').description("the key servers' TLS certificate (PKCS12)");

  cert
    .command('check')
    .description('check a PKCS12 file (or the certificate: section of an answers file) against the rules')
    .argument('[file.p12]', 'the PKCS12 (.p12/.pfx) file')
    .option('--answers <answers.yaml>', 'check the certificate: section of an answers file instead')
    .option('--password-file <file>', 'read the PKCS12 password from a file (a trailing newline is ignored)')
    .option('--password-env <VAR>', 'read the PKCS12 password from an environment variable')
    .addOption(trustRootOption())
    .addOption(previousCnOption())
    .option('--json', 'print one JSON object')
    .action(
      async (
        file: string | undefined,
        opts: {
          answers?: string;
          passwordFile?: string;
          passwordEnv?: string;
          trustRoot?: string[];
          previousCn?: string;
          json?: boolean;
        },
      ) => {
        if (opts.answers !== undefined) {
          if (file !== undefined || opts.passwordFile || opts.passwordEnv || opts.trustRoot)
            throw new UsageError(
              'give either --answers <answers.yaml> or a PKCS12 file with its password options, not both.',
            );
          setExit(await runCommand(Boolean(opts.json), () => checkAnswers(opts.answers!, opts.previousCn)));
          return;
        }
        if (file === undefined)
          throw new UsageError('give the PKCS12 file to check, or --answers <answers.yaml>.');
        requireOnePasswordSource(opts.passwordFile, opts.passwordEnv);
        setExit(
          await runCommand(Boolean(opts.json), async () => {
            const password = readPassword(opts.passwordFile, opts.passwordEnv);
            const { checkPkcs12 } = await certificates();
            const result = await checkPkcs12(readInput(file, 'p12'), password, {
              trustRoots: (opts.trustRoot ?? []).map((path) => readInput(path, 'trustRoot').toString('utf8')),
              ...(opts.previousCn ? { previousCn: opts.previousCn } : {}),
            });
            return {
              data: { certificate: result.summary },
              human: describe(result.summary),
              warnings: result.warnings,
            };
          }),
        );
      },
    );

  cert
    .command('csr')
    .description('create a private key and a certificate signing request (CSR) for the CA')
    .requiredOption('--cn <cn>', 'the common name the nodes will use, e.g. kms.example.com')
    .option(
      '--san <name>',
      'an extra subject alternative name (repeatable; the CN is always included)',
      collect,
    )
    .option('--org <organization>', 'the organization (O)')
    .option('--country <CC>', 'the two-letter country code (C)')
    .addOption(
      new Option('--key-type <type>', 'the key').choices(['rsa-3072', 'ec-p256']).default('rsa-3072'),
    )
    .requiredOption('--key-out <file>', 'where to write the private key (PEM, mode 0600)')
    .requiredOption('--csr-out <file>', 'where to write the CSR (PEM)')
    .option('--json', 'print one JSON object')
    .action(
      async (opts: {
        cn: string;
        san?: string[];
        org?: string;
        country?: string;
        keyType: 'rsa-3072' | 'ec-p256';
        keyOut: string;
        csrOut: string;
        json?: boolean;
      }) => {
        if (resolve(opts.keyOut) === resolve(opts.csrOut))
          throw new UsageError('--key-out and --csr-out must name two different files.');
        setExit(
          await runCommand(Boolean(opts.json), async () => {
            // Checked before the key is made; writeNewFile still never replaces a file that appears meanwhile.
            refuseExisting(opts.keyOut, 'keyOut', 'hds-setup never overwrites a key');
            refuseExisting(opts.csrOut, 'csrOut', 'hds-setup never overwrites a key');
            const [{ createCsr }, { createCsrRequestSchema }] = await Promise.all([
              certificates(),
              schemas(),
            ]);
            // The same rules and messages as the Certificate page's "Create a key and CSR".
            const request = parseInput(createCsrRequestSchema, {
              cn: opts.cn,
              sans: opts.san ?? [],
              ...(opts.org !== undefined ? { organization: opts.org } : {}),
              ...(opts.country !== undefined ? { country: opts.country } : {}),
              keyType: opts.keyType,
            });
            const created = createCsr({
              cn: request.cn,
              sans: request.sans,
              ...(request.organization ? { organization: request.organization } : {}),
              ...(request.country ? { country: request.country } : {}),
              keyType: request.keyType,
            });
            writeNewFile(opts.keyOut, created.privateKeyPem, 0o600, 'keyOut');
            created.privateKeyPem.fill(0);
            try {
              writeNewFile(opts.csrOut, Buffer.from(created.csrPem), 0o644, 'csrOut');
            } catch (error) {
              // A key without its CSR is of no use: leave nothing half done.
              rmSync(opts.keyOut, { force: true });
              throw error;
            }
            return {
              data: {
                csr: {
                  cn: opts.cn,
                  sans: created.sans,
                  keyType: opts.keyType,
                  keyOut: opts.keyOut,
                  csrOut: opts.csrOut,
                },
              },
              human: `Wrote the private key to ${opts.keyOut} (keep it secret) and the CSR to ${opts.csrOut}.\nSend the CSR to your CA; then run: hds-setup cert assemble --key ${opts.keyOut} --chain <the CA's PEM> --out kms.p12 --password-file <file>`,
            };
          }),
        );
      },
    );

  cert
    .command('assemble')
    .description(
      "check the CA's PEM chain against the key and write the PKCS12 (friendly name kms-private-key)",
    )
    .requiredOption(
      '--key <file>',
      'the private key (PEM) the CSR was made with; an encrypted one needs --key-password-file or --key-password-env',
    )
    .option(
      '--key-password-file <file>',
      'read the passphrase of an encrypted --key from a file (a trailing newline is ignored)',
    )
    .option(
      '--key-password-env <VAR>',
      'read the passphrase of an encrypted --key from an environment variable',
    )
    .addOption(
      new Option(
        '--chain <file>',
        "the CA's reply: your certificate and the CA certificates, any order (PEM, or one DER certificate a file; repeatable)",
      )
        .argParser(collect)
        .makeOptionMandatory(),
    )
    .requiredOption('--out <file.p12>', 'where to write the PKCS12')
    .requiredOption('--password-file <file>', 'the password for the new PKCS12')
    .addOption(trustRootOption())
    .addOption(previousCnOption())
    .option('--json', 'print one JSON object')
    .action(
      async (opts: {
        key: string;
        keyPasswordFile?: string;
        keyPasswordEnv?: string;
        chain: string[];
        out: string;
        passwordFile: string;
        trustRoot?: string[];
        previousCn?: string;
        json?: boolean;
      }) => {
        setExit(
          await runCommand(Boolean(opts.json), async () => {
            if (opts.keyPasswordFile && opts.keyPasswordEnv)
              throw new UsageError(
                "give the key's passphrase with at most one of --key-password-file <file> or --key-password-env <VAR>.",
              );
            refuseExisting(opts.out, 'out', 'hds-setup never overwrites it');
            const password = readPassword(opts.passwordFile, undefined);
            const [{ assemblePkcs12, completeCsr, readPrivateKeyPem }, { backupPkcs12RequestSchema }] =
              await Promise.all([certificates(), schemas()]);
            // The rule of the Certificate page's PKCS12 download: this file holds the private key.
            try {
              parseInput(backupPkcs12RequestSchema, { password: password.toString('utf8') });
            } catch {
              throw new HdsError(
                'INVALID_INPUT',
                `The password in ${opts.passwordFile} is too short or too long: choose one of 8 to 1024 characters for the PKCS12 that holds the private key.`,
                'passwordFile',
              );
            }
            const keyPem = readInput(opts.key, 'key');
            const passphrase = keyPassphrase(opts.keyPasswordFile, opts.keyPasswordEnv);
            let key: KeyObject;
            try {
              key = readPrivateKeyPem(
                {
                  pem: keyPem,
                  path: opts.key,
                  field: 'key',
                  howToGivePassphrase:
                    '--key-password-file <file> (the passphrase alone on the first line) or --key-password-env <VAR>',
                  howToGiveKey: '--key',
                },
                passphrase,
              );
            } finally {
              keyPem.fill(0);
              passphrase?.value.fill(0);
            }
            const chainPem = opts.chain.map((path) => chainText(readInput(path, 'chain'))).join('\n');
            const result = await completeCsr(key, chainPem, {
              trustRoots: (opts.trustRoot ?? []).map((path) => readInput(path, 'trustRoot').toString('utf8')),
              ...(opts.previousCn ? { previousCn: opts.previousCn } : {}),
              fields: { file: 'chain' },
            });
            writeNewFile(
              opts.out,
              assemblePkcs12(
                result.key,
                result.chain.map((c) => c.toString()),
                password,
              ),
              0o600,
              'out',
            );
            return {
              data: { certificate: result.summary, out: opts.out },
              human: `${describe(result.summary)}\nWrote ${opts.out} (friendly name kms-private-key).`,
              warnings: result.warnings,
            };
          }),
        );
      },
    );
};

/**
 * One --chain file as PEM text. CAs often send the certificate as a binary .cer/.crt (DER): one
 * DER certificate is converted here; anything else goes on as text to the PEM rules and messages.
 */
function chainText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN')) return text;
  try {
    return new X509Certificate(bytes).toString();
  } catch {
    return text;
  }
}

/** `cert check --answers`: the certificate: section exactly as `build` reads and checks it. */
async function checkAnswers(path: string, previousCn: string | undefined) {
  const [{ AnswersFile }, { readCertificateAnswers }, { checkPkcs12 }] = await Promise.all([
    import('../../core/answers/answers-file.js'),
    import('../../core/certificate/certificate-answers.js'),
    certificates(),
  ]);
  const given = readCertificateAnswers(AnswersFile.load(path));
  if (given.reuse)
    throw new HdsError(
      'ANSWERS_INVALID',
      'certificate.reuse: true keeps the certificate of an imported ISO, which only build --import can check: check that ISO with hds-setup inspect, or give a p12 file.',
      'certificate.reuse',
    );
  const result = await checkPkcs12(given.p12!, given.password!, {
    trustRoots: given.trustRoots,
    ...(previousCn ? { previousCn } : {}),
    fields: {
      file: 'certificate.p12',
      password: 'certificate.password',
      trustRoot: 'certificate.trustRoots',
    },
  });
  return {
    data: { certificate: result.summary },
    human: describe(result.summary),
    warnings: result.warnings,
  };
}

/** Exactly one of --password-file / --password-env: anything else is a usage error (exit 2). */
function requireOnePasswordSource(file: string | undefined, envName: string | undefined): void {
  if (Boolean(file) === Boolean(envName))
    throw new UsageError(
      'give the password with exactly one of --password-file <file> or --password-env <VAR>.',
    );
}

/** The password from the file or variable named on the command line; either missing is exit 1. */
function readPassword(
  file: string | undefined,
  envName: string | undefined,
  fields = { file: 'passwordFile', env: 'passwordEnv' },
): Buffer {
  if (envName) {
    const value = process.env[envName];
    if (value === undefined)
      throw new HdsError(
        'INVALID_INPUT',
        `The environment variable ${envName} is not set: export it before running hds-setup.`,
        fields.env,
      );
    return Buffer.from(value, 'utf8');
  }
  const bytes = readInput(file!, fields.file);
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  return bytes.subarray(0, end);
}

/** The passphrase of an encrypted --key, when one was given (never on the command line itself). */
function keyPassphrase(file: string | undefined, envName: string | undefined): KeyPassphrase | undefined {
  if (!file && !envName) return undefined;
  return {
    value: readPassword(file, envName, { file: 'keyPasswordFile', env: 'keyPasswordEnv' }),
    source: envName ? `the environment variable ${envName}` : file!,
    field: envName ? 'keyPasswordEnv' : 'keyPasswordFile',
    fromFile: !envName,
  };
}

const INPUT_WHAT: Record<string, string> = {
  p12: 'the PKCS12 file',
  passwordFile: 'the password file',
  keyPasswordFile: "the key's passphrase file",
  trustRoot: 'the root CA file (--trust-root)',
  key: 'the private key file',
  chain: "the CA's certificate chain file",
};

function readInput(path: string, field: string): Buffer {
  const what = INPUT_WHAT[field] ?? 'the file';
  return readNamedFile({ path, what, field }, MAX_INPUT_BYTES, (reason) =>
    field === 'p12'
      ? new HdsError(
          'P12_INVALID',
          `${path} is ${reason}, too large to be a PKCS12 file (they are a few KB). Check the path and choose the .p12/.pfx file that holds the private key and the certificate chain.`,
          field,
        )
      : new HdsError(
          'INVALID_INPUT',
          `${path} is ${reason}, too large to be ${what}; check the path.`,
          field,
        ),
  );
}

/** An output that already exists is refused (exit 1, like build and iso create), never replaced. */
function refuseExisting(path: string, field: string, why: string): void {
  if (existsSync(path))
    throw new HdsError('INVALID_INPUT', `${path} already exists; choose another path (${why}).`, field);
}

/**
 * Creates `path` (never replacing a file) all at once: the bytes go to a temporary file beside it,
 * flushed, then linked into place (link() fails where rename() would overwrite), so a crash never
 * leaves half a private key or keystore. A folder that cannot be written is said plainly.
 */
function writeNewFile(path: string, bytes: Uint8Array, mode: number, field: string): void {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Filesystems without hard links (FAT/exFAT USB sticks): rename after a fresh check.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
      if (existsSync(target)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
      renameSync(temp, target);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HdsError(
      'INVALID_INPUT',
      code === 'EEXIST'
        ? `${path} already exists; choose another path (hds-setup never overwrites it).`
        : // The code, not the message: that names the temporary file, not the path the admin gave.
          `Cannot write ${path} (${code === 'ENOENT' ? 'its folder does not exist' : (code ?? (error as Error).message)}). Choose a folder you can write to.`,
      field,
    );
  } finally {
    rmSync(temp, { force: true });
  }
}

function describe(s: CertificateSummary): string {
  const lines = [
    `Certificate OK: CN=${s.cn}`,
    `  SANs:        ${s.sans.join(', ') || '(none)'}`,
    `  Key:         ${s.keyType} ${s.curve ?? `${s.keySize} bits`}`,
    `  Valid:       ${s.notBefore.slice(0, 10)} to ${s.notAfter.slice(0, 10)} (${s.daysToExpiry} days left)`,
    `  SHA-256:     ${s.fingerprintSha256}`,
    '  Chain:',
    ...s.chain.map(
      (c) =>
        `    ${c.role.padEnd(12)} ${c.subject}  [${c.signatureAlgorithm}, until ${c.notAfter.slice(0, 10)}${c.trust ? `, ${c.trust === 'public' ? 'publicly trusted' : 'private root'}` : ''}${c.fetchedFrom ? `, downloaded from ${c.fetchedFrom}` : ''}]`,
    ),
  ];
  return lines.join('\n');
}
