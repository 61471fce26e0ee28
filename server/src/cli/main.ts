import { Command, CommanderError } from 'commander';
import { productVersion } from '../product.js';
import { commands } from './commands/index.js';
import { EXIT_FAILED, EXIT_USAGE, UsageError } from './output.js';

/** Parses argv and runs one command. Resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name('hds-setup')
    .description('Setup wizard and tools for Hybrid Data Security key servers.')
    .version(productVersion(), '-v, --version')
    .showHelpAfterError('(run hds-setup --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
    });
  for (const register of commands) register(program, (code) => (exitCode = code));
  // `cert check`, `cert assemble` and `build` may download a missing intermediate: through the
  // admin's proxy, as the wizard does. global-agent loads only when a proxy is configured.
  if (process.env.GLOBAL_AGENT_HTTP_PROXY || process.env.GLOBAL_AGENT_HTTPS_PROXY)
    (await import('../http/outbound-proxy.js')).enableOutboundProxy();
  for (const c of program.commands) c.exitOverride();
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT_USAGE;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // `--help`, `--version` and `help <command>` exit 0; `help <unknown>` is a usage error.
      if (error.exitCode === 0) return 0;
      return usageFailure(argv, error.message.replace(/^error: /, ''));
    }
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      return usageFailure(argv, error.message);
    }
    // Never a stack trace: what failed, in one line (and one JSON object with --json).
    const message = `hds-setup failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
    if (argv.includes('--json'))
      process.stdout.write(
        `${JSON.stringify({ ok: false, errors: [{ code: 'INTERNAL', message }] }, null, 2)}\n`,
      );
    else process.stderr.write(`error INTERNAL: ${message}\n`);
    return EXIT_FAILED;
  }
}

/** Usage errors exit 2; with --json they are also one JSON object on stdout, like every failure. */
function usageFailure(argv: string[], message: string): number {
  if (argv.includes('--json'))
    process.stdout.write(
      `${JSON.stringify({ ok: false, errors: [{ code: 'INVALID_INPUT', message: `${message} (run hds-setup --help for usage)` }] }, null, 2)}\n`,
    );
  return EXIT_USAGE;
}
