import { HdsError } from '../../../../contract/hds-error.js';
import type { SyslogSettings } from '../../../../contract/syslog.js';
import type { AnswersFile } from '../answers/answers-file.js';
import { parseSyslogRootCa, type SyslogRootCa } from './syslog-root-ca.js';
import { parseSyslogSettings } from './syslog-settings.js';

const KNOWN = ['url', 'tls', 'termination', 'rootCaFile'];

/**
 * The `syslog:` section of an answers file, checked like the System logs page:
 *
 *   syslog:
 *     url: tcp://syslog.example.com:514
 *     tls: true                # optional, default false (tcp only)
 *     termination: newline     # null (default) or newline
 *     rootCaFile: syslog-ca.pem  # with tls: the syslog server's root CA, relative to this file
 */
export function readSyslogAnswers(answers: AnswersFile): { settings: SyslogSettings; rootCa?: SyslogRootCa } {
  const section = answers.section('syslog');
  if (typeof section !== 'object' || Array.isArray(section))
    throw new HdsError(
      'ANSWERS_INVALID',
      'The syslog: section must be a mapping with url, tls, termination and (with TLS) rootCaFile.',
      'syslog',
    );
  const fields = section as Record<string, unknown>;
  // Unknown keys are refused, as in every section: a typo must never go unnoticed.
  for (const key of Object.keys(fields))
    if (!KNOWN.includes(key))
      throw new HdsError(
        'INVALID_INPUT',
        `syslog.${key} is not a known setting (use ${KNOWN.join(', ')}).`,
        `syslog.${key}`,
      );
  const settings = parseSyslogSettings(fields, 'syslog', 'answers-file');
  const caPath = fields.rootCaFile;
  if (caPath === undefined) return { settings };
  if (typeof caPath !== 'string' || caPath.length === 0)
    throw new HdsError(
      'ANSWERS_INVALID',
      'syslog.rootCaFile must be the path of a PEM or DER file.',
      'syslog.rootCaFile',
    );
  if (!settings.tls)
    throw new HdsError(
      'ANSWERS_INVALID',
      'syslog.rootCaFile is only used with TLS: add "tls: true" (with a tcp:// URL) or remove rootCaFile.',
      'syslog.rootCaFile',
    );
  return {
    settings,
    rootCa: parseSyslogRootCa(answers.readFile(caPath, 'syslog.rootCaFile'), 'syslog.rootCaFile'),
  };
}
