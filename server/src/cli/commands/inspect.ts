import type { Command } from 'commander';
import type { ConfigIsoSummary } from '../../../../contract/config-iso.js';
import { runCommand } from '../output.js';
import type { RegisterCommand } from './index.js';

/** `hds-setup inspect <file.iso>`: integrity verdict and the non-secret summary. */
export const registerInspect: RegisterCommand = (program: Command, setExit) => {
  program
    .command('inspect')
    .description('verify a configuration ISO (checksums, MAC) and print its non-secret summary')
    .argument('<file.iso>', 'the configuration ISO')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      setExit(
        await runCommand(
          Boolean(opts.json),
          async () => {
            // The configuration reader loads only when this command runs: the CLI starts faster. An error
            // that names no input is about <file.iso>: its field is "iso" (as cert check's [file.p12] is "p12").
            // A folder is FILE_UNREADABLE with a pointer to `verify`, which reads folders.
            const { readConfigIso, summarizeConfig } = await import('../../core/configIso/index.js');
            const summary = summarizeConfig(await readConfigIso(file), new Date());
            return {
              data: { intact: true, summary: { ...summary, warnings: undefined } },
              human: describeSummary(
                summary,
                `${file}: intact (every checksum and the manifest MAC verify).`,
              ),
              warnings: summary.warnings,
            };
          },
          { field: 'iso' },
        ),
      );
    });
};

export function describeSummary(s: ConfigIsoSummary, headline: string): string {
  const lines = [
    headline,
    `  generation        ${s.generation} (created ${s.createdAt} by hds-setup ${s.toolVersion})`,
    `  deployment        ${s.deploymentId}`,
    `  lineage           ${s.previousManifestSha256 ? `follows manifest ${s.previousManifestSha256}` : 'first generation'}`,
    `  manifest sha256   ${s.manifestSha256}`,
    `  certificate       CN ${s.certificate.commonName}, expires ${s.certificate.notAfter} (${s.certificate.daysToExpiry < 0 ? 'EXPIRED' : `${s.certificate.daysToExpiry} days`})`,
    `  database          ${s.database.type} ${s.database.hosts.join(', ')} / ${s.database.name} as ${s.database.username}, TLS ${s.database.tlsMode}`,
    `  syslog            ${s.syslog.url}${s.syslog.tls ? ' (TLS)' : ''}, records end with ${s.syslog.termination}`,
    ...s.serviceAccounts.map(
      (a) =>
        `  service account   ${a.name.padEnd(10)} expires ${a.expiresAt}${a.expired ? ' (EXPIRED)' : ''}${a.previousValidUntil ? `; previous secret valid until ${a.previousValidUntil}` : ''}`,
    ),
    `  files             ${s.files.length}`,
    ...s.files.map((f) => `    ${f.mode} ${String(f.size).padStart(7)}  ${f.path}`),
  ];
  return lines.join('\n');
}
