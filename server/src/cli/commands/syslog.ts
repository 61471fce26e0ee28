import { type Command, Option } from 'commander';
import { HdsError } from '../../../../contract/hds-error.js';
import type { SyslogSettings, SyslogTestReport } from '../../../../contract/syslog.js';
import { readNamedFile } from '../../core/answers/unreadable-file.js';
import { runCommand, UsageError } from '../output.js';
import type { RegisterCommand } from './index.js';

interface TestOptions {
  answers?: string;
  url?: string;
  tls?: boolean;
  ca?: string;
  termination?: 'null' | 'newline';
  json?: boolean;
}

/**
 * `hds-setup syslog test`: the System logs page's *Send test message* from a terminal, with the
 * `syslog:` section of an answers file or the settings as options. Exit 0 sent, 1 failed, 2 usage.
 */
export const registerSyslog: RegisterCommand = (program: Command, setExit) => {
  const syslog = program.command('syslog').description('syslog server settings');
  syslog
    .command('test')
    .description('send one RFC 5424 test message to the syslog server and report what could be confirmed')
    .option('--answers <answers.yaml>', 'take the syslog: section of an answers file')
    .option('--url <url>', 'udp://host:port or tcp://host:port (port defaults to 514)')
    .option('--tls', 'use TLS (tcp only)')
    .option('--ca <pem>', "the syslog server's root CA certificate file (PEM or DER), with --tls")
    .addOption(new Option('--termination <kind>', 'record termination over TCP').choices(['null', 'newline']))
    .option('--json', 'print one JSON object')
    .action(async (opts: TestOptions) => {
      if (opts.answers && (opts.url || opts.tls || opts.ca || opts.termination))
        throw new UsageError('give either --answers or --url [--tls] [--ca] [--termination], not both.');
      if (!opts.answers && !opts.url) throw new UsageError('give --answers <answers.yaml> or --url <url>.');
      if (opts.ca && !opts.tls)
        throw new UsageError('--ca is the root CA for TLS: add --tls (with a tcp:// URL).');
      setExit(
        await runCommand(Boolean(opts.json), async () => {
          const { settings, rootCaPem } = await (opts.answers
            ? fromAnswers(opts.answers)
            : fromOptions(opts));
          const { sendSyslogTestMessage } = await syslogCode();
          const report = await sendSyslogTestMessage(settings, rootCaPem);
          return { data: { syslog: { settings, report } }, human: describe(settings, report) };
        }),
      );
    });
};

// The syslog code (zod schemas, TLS) loads only when this command runs: the CLI starts faster.
const syslogCode = () => import('../../core/syslog/index.js');

async function fromAnswers(path: string): Promise<{ settings: SyslogSettings; rootCaPem?: string }> {
  const [{ AnswersFile }, { readSyslogAnswers }] = await Promise.all([
    import('../../core/answers/answers-file.js'),
    syslogCode(),
  ]);
  const { settings, rootCa } = readSyslogAnswers(AnswersFile.load(path));
  return rootCa ? { settings, rootCaPem: rootCa.pem } : { settings };
}

async function fromOptions(opts: TestOptions): Promise<{ settings: SyslogSettings; rootCaPem?: string }> {
  const [{ SYSLOG_CA_MAX_BYTES }, { parseSyslogRootCa, parseSyslogSettings }] = await Promise.all([
    import('../../../../contract/syslog.js'),
    syslogCode(),
  ]);
  const settings = parseSyslogSettings({
    url: opts.url,
    tls: Boolean(opts.tls),
    ...(opts.termination ? { termination: opts.termination } : {}),
  });
  if (!opts.ca) return { settings };
  const bytes = readNamedFile(
    { path: opts.ca, what: "the syslog server's root CA file", field: 'rootCa' },
    SYSLOG_CA_MAX_BYTES,
    (reason) =>
      new HdsError(
        'SYSLOG_CA_INVALID',
        `The root CA file ${opts.ca} is ${reason}. Give the path of a PEM or DER certificate.`,
        'rootCa',
      ),
  );
  return { settings, rootCaPem: parseSyslogRootCa(bytes).pem };
}

function describe(settings: SyslogSettings, report: SyslogTestReport): string {
  const how = `${settings.tls ? 'TLS over TCP' : settings.protocol.toUpperCase()}${settings.protocol === 'tcp' ? `, ${settings.termination === 'null' ? 'null byte' : 'newline'} termination` : ''}`;
  return [
    `Test message ${report.msgId} to ${settings.url} (${how}):`,
    ...report.confirmed.map((line) => `  ✓ ${line}`),
    report.summary,
  ].join('\n');
}
