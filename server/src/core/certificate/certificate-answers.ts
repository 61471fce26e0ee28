import { HdsError } from '../../../../contract/hds-error.js';
import { AnswersFile } from '../answers/answers-file.js';

const KNOWN = new Set(['p12', 'passwordFile', 'passwordEnv', 'trustRoots', 'reuse']);

export interface CertificateAnswers {
  /** `reuse: true`: keep the imported ISO's certificate and key (build --import only). */
  reuse: boolean;
  p12?: Buffer;
  password?: Buffer;
  /** PEM text of private roots to trust; listing one is the "not publicly trusted" acknowledgment. */
  trustRoots: string[];
}

/** The `certificate:` section of an answers file (docs/answers-file.md). */
export function readCertificateAnswers(answers: AnswersFile): CertificateAnswers {
  const section = answers.section('certificate');
  if (typeof section !== 'object' || section === null || Array.isArray(section))
    throw new HdsError(
      'ANSWERS_INVALID',
      'The certificate: section must be a mapping (p12, passwordFile, trustRoots).',
      'certificate',
    );
  const s = section as Record<string, unknown>;
  AnswersFile.refuseInlineSecret(s, 'password', 'certificate');
  for (const key of Object.keys(s))
    if (!KNOWN.has(key))
      throw new HdsError(
        'INVALID_INPUT',
        `certificate.${key} is not a known setting (use p12, passwordFile or passwordEnv, trustRoots, reuse).`,
        `certificate.${key}`,
      );
  if (s.reuse === true) {
    if (s.p12 !== undefined)
      throw new HdsError(
        'ANSWERS_INVALID',
        'certificate: give either reuse: true or a p12 file, not both.',
        'certificate.reuse',
      );
    return { reuse: true, trustRoots: [] };
  }
  if (s.reuse !== undefined && s.reuse !== false)
    throw new HdsError('INVALID_INPUT', 'certificate.reuse must be true or false.', 'certificate.reuse');
  if (typeof s.p12 !== 'string' || !s.p12)
    throw new HdsError(
      'ANSWERS_INVALID',
      'certificate.p12 must give the path of the PKCS12 file (.p12/.pfx).',
      'certificate.p12',
    );
  const roots = s.trustRoots ?? [];
  if (!Array.isArray(roots) || roots.some((r) => typeof r !== 'string'))
    throw new HdsError(
      'INVALID_INPUT',
      'certificate.trustRoots must be a list of PEM file paths.',
      'certificate.trustRoots',
    );
  return {
    reuse: false,
    p12: answers.readFile(s.p12, 'certificate.p12'),
    password: answers.readSecret(s, 'password', 'certificate'),
    trustRoots: (roots as string[]).map((r, i) =>
      answers.readFile(r, `certificate.trustRoots.${i}`).toString('utf8'),
    ),
  };
}
