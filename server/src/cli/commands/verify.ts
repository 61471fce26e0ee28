import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { unreadableFile } from '../../core/answers/unreadable-file.js';
import { runCommand } from '../output.js';
import type { RegisterCommand } from './index.js';
import { describeSummary } from './inspect.js';

/**
 * `hds-setup verify <dir-or-iso>`: what a node runs at boot against /media/configdrive/hds.
 * Exit 0 only when the configuration is complete and intact; expiry shows as warnings.
 */
export const registerVerify: RegisterCommand = (program: Command, setExit) => {
  program
    .command('verify')
    .description('check a mounted configuration folder (or an ISO file) is complete and intact')
    .argument('<dir-or-iso>', 'the mounted folder (e.g. /media/configdrive/hds) or the ISO file')
    .option('--database', 'also check the key database still accepts these secrets')
    .option('--json', 'print one JSON object')
    .action(async (target: string, opts: { json?: boolean; database?: boolean }) => {
      setExit(
        await runCommand(
          Boolean(opts.json),
          async () => {
            let isDirectory: boolean;
            try {
              isDirectory = statSync(target).isDirectory();
            } catch (error) {
              throw unreadableFile(
                { path: target, what: 'the configuration folder or ISO file' },
                error as NodeJS.ErrnoException,
              );
            }
            // The configuration reader (and the database drivers for --database) load only now. An
            // error that names no input is about <dir-or-iso> (field "dirOrIso"); --database's own
            // findings name "database".
            const { readConfigDirectory, readConfigIso, summarizeConfig } = await import(
              '../../core/configIso/index.js'
            );
            const loaded = isDirectory ? await readConfigDirectory(target) : await readConfigIso(target);
            const now = new Date();
            const summary = summarizeConfig(loaded, now);
            const database = opts.database
              ? await (await import('./verify-database.js')).verifyAgainstDatabase(loaded, now)
              : undefined;
            return {
              data: {
                intact: true,
                summary: { ...summary, warnings: undefined },
                ...(database ? { database } : {}),
              },
              human: describeSummary(
                summary,
                `${target}: complete and intact.${database ? `\n${database.message}` : ''}`,
              ),
              warnings: summary.warnings,
            };
          },
          { field: 'dirOrIso' },
        ),
      );
    });
};
