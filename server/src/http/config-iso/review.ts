import type { ReviewItem, ReviewSection, ReviewState } from '../../../../contract/config-iso.js';
import type { LoadedConfigIso } from '../../core/configIso/index.js';
import type { WizardState } from '../wizard-state.js';
import { currentBuiltIso, isBuiltIsoStale } from './built-iso-freshness.js';
import { missingPages } from './collect-config-input.js';
import './config-iso-sections.js';

type Change = ReviewItem['change'];

/** The words of the Database page's TLS choices, so the review reads like the page the admin filled. */
const TLS_MODE_WORDS = {
  prefer: 'Prefer TLS',
  require: 'Require TLS',
  'verify-ca': 'Require TLS and verify certificate signer',
  'verify-full': 'Require TLS and verify certificate signer and hostname',
} as const;

/** A date as every page shows it (UTC day), not a raw timestamp. */
const day = (iso: string) => new Date(iso).toISOString().slice(0, 10);

/** Page 8: every section on one page, and what changed since the imported ISO. Never a secret. */
export function reviewState(state: WizardState, now: Date): ReviewState {
  const deployment = state.get('deployment');
  const previous = deployment?.imported?.loaded;
  const compare = (same: boolean): Change => (!previous ? 'new' : same ? 'unchanged' : 'changed');
  const sections: ReviewSection[] = [
    certificateSection(state, previous, compare),
    databaseSection(state, previous, compare),
    syslogSection(state, previous, compare),
    serviceAccountSection(state, now),
  ];
  const built = currentBuiltIso(state, () => now);
  return {
    ok: true,
    origin: deployment?.origin ?? null,
    generation: deployment?.nextGeneration ?? null,
    previousGeneration: previous?.manifest.generation ?? null,
    sections,
    ready: missingPages(state).length === 0,
    ...(isBuiltIsoStale(state, () => now) ? { builtIsoStale: true } : {}),
    ...(built
      ? {
          built: {
            fileName: built.built.fileName,
            size: built.built.bytes.length,
            sha256: built.built.sha256,
            generation: built.built.manifest.generation,
            backupAcknowledged: built.backupAcknowledged,
            ...(built.databaseBinding ? { databaseBinding: built.databaseBinding } : {}),
          },
        }
      : {}),
  };
}

type Compare = (same: boolean) => Change;

function certificateSection(
  state: WizardState,
  previous: LoadedConfigIso | undefined,
  compare: Compare,
): ReviewSection {
  const cert = state.get('certificate');
  if (!cert) return { id: 'certificate', title: 'Certificate', complete: false, items: [], notes: [] };
  const before = previous?.config.certificate;
  return {
    id: 'certificate',
    title: 'Certificate',
    complete: true,
    items: [
      {
        label: 'Common name (CN)',
        value: cert.summary.cn,
        change: compare(before?.commonName === cert.summary.cn),
      },
      {
        label: 'Expires',
        value: day(cert.summary.notAfter),
        change: compare(before?.notAfter === cert.summary.notAfter),
      },
      {
        label: 'SHA-256 fingerprint',
        value: cert.summary.fingerprintSha256,
        change: compare(before?.fingerprintSha256 === cert.summary.fingerprintSha256),
      },
      {
        label: 'Private key and keystore password',
        value: previous ? (previous.certificate.pkcs12.equals(cert.pkcs12) ? 'unchanged' : 'changed') : 'set',
        change: compare(Boolean(previous?.certificate.pkcs12.equals(cert.pkcs12))),
      },
    ],
    notes: cert.warnings.map((w) => w.message),
  };
}

function databaseSection(
  state: WizardState,
  previous: LoadedConfigIso | undefined,
  compare: Compare,
): ReviewSection {
  const db = state.get('database');
  if (!db) return { id: 'database', title: 'Database', complete: false, items: [], notes: [] };
  const before = previous?.database;
  const s = db.settings;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const items: ReviewItem[] = [
    {
      label: 'Type',
      value: s.type === 'postgresql' ? 'PostgreSQL' : 'Microsoft SQL Server',
      change: compare(before?.settings.type === s.type),
    },
    { label: 'Hosts', value: s.hosts.join(', '), change: compare(same(before?.settings.hosts, s.hosts)) },
    { label: 'Database name', value: s.name, change: compare(before?.settings.name === s.name) },
    { label: 'Username', value: s.username, change: compare(before?.settings.username === s.username) },
    {
      label: 'TLS mode',
      value: TLS_MODE_WORDS[s.tlsMode],
      change: compare(before?.settings.tlsMode === s.tlsMode),
    },
    {
      label: 'Password',
      value: previous ? (before?.password.equals(db.password) ? 'unchanged' : 'changed') : 'set',
      change: compare(Boolean(before?.password.equals(db.password))),
    },
    {
      label: 'Root CA',
      value: db.rootCa ? db.rootCa.subject : 'none',
      change: compare((before?.rootCaPem ?? '') === (db.rootCaPem ?? '')),
    },
    {
      label: 'Connection pool size / timeout',
      value: `${s.advanced.app_datasource_connection_pool_maxSize} / ${s.advanced.connectTimeoutSeconds} s`,
      change: compare(same(before?.settings.advanced, s.advanced)),
    },
  ];
  if (s.type === 'sqlserver')
    items.splice(4, 0, {
      label: 'Authentication',
      value: s.auth === 'windows' ? 'Windows (Kerberos)' : 'Basic (SQL Server login)',
      change: compare(before?.settings.auth === s.auth),
    });
  if (db.liveTest.ok === false)
    return {
      id: 'database',
      title: 'Database',
      complete: true,
      items,
      notes: [
        db.liveTest.code === 'NOT_TESTED'
          ? db.liveTest.message
          : `The live database test did not pass (${db.liveTest.code}: ${db.liveTest.message}) and you chose to continue.`,
      ],
    };
  const tls = db.liveTest.tls.used ? `TLS ${db.liveTest.tls.protocol ?? ''}`.trim() : 'no TLS';
  return {
    id: 'database',
    title: 'Database',
    complete: true,
    items,
    notes: [],
    facts: [`Live test passed: ${db.liveTest.serverVersion}, ${tls}.`],
  };
}

function syslogSection(
  state: WizardState,
  previous: LoadedConfigIso | undefined,
  compare: Compare,
): ReviewSection {
  const syslog = state.get('syslog');
  if (!syslog) return { id: 'syslog', title: 'System logs', complete: false, items: [], notes: [] };
  const before = previous?.syslog;
  const s = syslog.settings;
  return {
    id: 'syslog',
    title: 'System logs',
    complete: true,
    items: [
      { label: 'Syslogd URL', value: s.url, change: compare(before?.settings.url === s.url) },
      { label: 'TLS', value: s.tls ? 'yes' : 'no', change: compare(before?.settings.tls === s.tls) },
      {
        label: 'Record termination',
        value: s.termination === 'null' ? 'Null byte — \\x00' : 'Newline — \\n',
        change: compare(before?.settings.termination === s.termination),
      },
    ],
    ...(syslog.lastTest?.ok
      ? { notes: [], facts: [`Test message ${syslog.lastTest.msgId} sent.`] }
      : {
          notes: [
            syslog.lastTest
              ? 'The last test message failed; you chose to continue.'
              : 'No test message was sent.',
          ],
        }),
  };
}

function serviceAccountSection(state: WizardState, now: Date): ReviewSection {
  const section = state.get('serviceAccounts');
  if (!section)
    return { id: 'serviceAccounts', title: 'Service accounts', complete: false, items: [], notes: [] };
  const modeText = {
    new: 'New secret',
    keep: 'Secret kept',
    soft: 'New secret (soft reset)',
    hard: 'New secret (hard reset)',
  }[section.mode];
  return {
    id: 'serviceAccounts',
    title: 'Service accounts',
    complete: true,
    items: section.accounts.map((a) => ({
      label: a.name,
      value: `${modeText}; expires ${a.expiresAt.toISOString().slice(0, 10)}${a.previous ? `; previous secret valid until ${a.previous.validUntil.toISOString().slice(0, 10)}` : ''}`,
      change: section.mode === 'new' ? 'new' : section.mode === 'keep' ? 'unchanged' : 'changed',
    })),
    notes: section.accounts.some((a) => a.expiresAt <= now)
      ? ['A secret has expired: choose Hard reset.']
      : [],
  };
}
