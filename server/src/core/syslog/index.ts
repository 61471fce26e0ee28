/** System logs: the syslogd settings of page 6 and the sender the nodes' settings are tested with. */
export { DEFAULT_SYSLOG_PORT, parseSyslogUrl, type SyslogUrl } from './parse-syslog-url.js';
export { frameSyslogRecord } from './record-framing.js';
export {
  formatRfc5424Message,
  MAX_RECORD_OCTETS,
  type StructuredData,
  SYSLOG_APP_NAME,
  SYSLOG_SEVERITIES,
  type SyslogRecord,
  type SyslogSeverity,
} from './rfc5424-message.js';
export {
  type SyslogDelivery,
  type SyslogSendOptions,
  sendSyslogMessage,
  sendSyslogMessages,
} from './send-syslog-message.js';
export { newTestMessageId, sendSyslogTestMessage } from './send-test-message.js';
export { readSyslogAnswers } from './syslog-answers.js';
export { parseSyslogRootCa, type SyslogRootCa } from './syslog-root-ca.js';
export { parseSyslogSettings } from './syslog-settings.js';
