import type {
  SyslogLastTest,
  SyslogRootCaView,
  SyslogSettings,
  SyslogView,
} from '../../../contract/syslog.js';

/**
 * The accepted System logs page, kept in server memory. The configuration ISO is built from it
 * (settings → the settings file, rootCaPem → the syslog trust file); the audit trail sends its
 * lines with sendSyslogMessages(settings, records, rootCaPem).
 */
export interface AcceptedSyslog {
  /** {url, tls, termination} as parsed, with the URL's protocol, host and port. */
  settings: SyslogSettings;
  /** The syslog server's root CA (PEM), only when TLS is on and one was uploaded. */
  rootCaPem?: string;
  rootCa?: SyslogRootCaView;
  /** The last *Send test message* with exactly these settings; the admin may continue without one. */
  lastTest?: SyslogLastTest;
}

declare module './wizard-state.js' {
  interface WizardSections {
    syslog: AcceptedSyslog;
  }
}

export function syslogView(accepted: AcceptedSyslog | undefined): SyslogView {
  if (!accepted) return { ok: true };
  const { settings, rootCa, lastTest } = accepted;
  return { ok: true, settings, ...(rootCa ? { rootCa } : {}), ...(lastTest ? { lastTest } : {}) };
}
