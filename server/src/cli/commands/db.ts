import type { Command } from 'commander';
import type { DatabaseLiveTestSuccess, DatabaseSettings } from '../../../../contract/database.js';
import { kerberosSpn } from '../../../../contract/database-host.js';
import { runCommand } from '../output.js';
import type { RegisterCommand } from './index.js';

/**
 * `hds-setup db check --answers <a.yaml> [--json]`: the Database page's checks and live test on
 * the `database:` section of an answers file. Prompts for nothing; exit 0 ok, 1 failed.
 */
export const registerDb: RegisterCommand = (program: Command, setExit) => {
  const db = program.command('db').description('key database settings');
  db.command('check')
    .description('validate the database: section of an answers file and test the database live')
    .requiredOption('--answers <answers.yaml>', 'the answers file (see docs/answers-file.md)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { answers: string; json?: boolean }) => {
      setExit(
        await runCommand(Boolean(opts.json), async () => {
          // The answers reader and the database drivers load only when this command runs.
          const [{ AnswersFile }, { databaseHosts, readDatabaseAnswers, runDatabaseLiveTest }] =
            await Promise.all([
              import('../../core/answers/answers-file.js'),
              import('../../core/database/index.js'),
            ]);
          const { settings, password, rootCa } = readDatabaseAnswers(AnswersFile.load(opts.answers));
          try {
            const liveTest = await runDatabaseLiveTest(settings, password, rootCa?.pem);
            const spns =
              settings.type === 'sqlserver' && settings.auth === 'windows'
                ? databaseHosts(settings).map(kerberosSpn)
                : undefined;
            return {
              data: {
                database: {
                  settings,
                  ...(rootCa ? { rootCa: { subject: rootCa.subject, notAfter: rootCa.notAfter } } : {}),
                  liveTest,
                  ...(spns ? { kerberosSpns: spns } : {}),
                },
              },
              human: describe(settings, liveTest, spns),
            };
          } finally {
            password.fill(0);
          }
        }),
      );
    });
};

function describe(
  settings: DatabaseSettings,
  t: DatabaseLiveTestSuccess,
  spns: string[] | undefined,
): string {
  const tls = t.tls.used
    ? `${t.tls.protocol} ${t.tls.cipher}; certificate ${t.tls.certificateSubject}, expires ${t.tls.certificateNotAfter}`
    : 'not used (the server offers no TLS; mode prefer)';
  return [
    `Database OK: ${settings.name} on ${t.host} as ${settings.username}.`,
    `  server        ${t.serverVersion}`,
    `  TLS mode      ${settings.tlsMode}`,
    `  TLS           ${tls}`,
    `  pool size     ${settings.advanced.app_datasource_connection_pool_maxSize}, connect timeout ${settings.advanced.connectTimeoutSeconds} s`,
    ...(spns ?? []).map((spn) => `  Kerberos SPN  ${spn}`),
    ...(t.notes ?? []).map((n) => `  note          ${n}`),
  ].join('\n');
}
