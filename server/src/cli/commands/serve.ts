import type { Command } from 'commander';
import { UsageError } from '../output.js';

export function registerServe(program: Command, setExit: (code: number) => void): void {
  program
    .command('serve')
    .description('start the setup wizard (http://127.0.0.1:8080 by default)')
    .option('--host <host>', 'address to bind (env HOST; default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env PORT; default 8080)')
    .action(async (opts: { host?: string; port?: string }) => {
      const host = opts.host ?? process.env.HOST ?? '127.0.0.1';
      const portText = opts.port ?? process.env.PORT ?? '8080';
      const port = Number(portText);
      if (!/^\d+$/.test(portText) || port > 65535)
        throw new UsageError(`--port must be a number from 0 to 65535, not "${portText}".`);
      const tokenProblem = signInTokenProblem(process.env.HDS_SETUP_TOKEN);
      if (tokenProblem) {
        process.stderr.write(`error SERVE_TOKEN_INVALID: ${tokenProblem}\n`);
        setExit(1);
        return;
      }
      // The web server and every route load only when serving: other commands start faster.
      const { createLogger } = await import('../../http/logger.js');
      const { enableOutboundProxy } = await import('../../http/outbound-proxy.js');
      const { startServer } = await import('../../http/server.js');
      const logger = createLogger();
      const proxies = enableOutboundProxy();
      // Each link signs in once; the next one goes to the terminal (stdout) and nowhere else. Links
      // issued before the first two lines are out wait, so those lines stay first.
      let firstLinkPrinted = false;
      const waitingLinks: string[] = [];
      const printNextLink = (url: string) =>
        process.stdout.write(
          `A sign-in link was just used. The next one-time sign-in link (to sign in again, e.g. after 30 minutes idle):\n${url}\n`,
        );
      let running: Awaited<ReturnType<typeof startServer>>;
      try {
        running = await startServer({
          host,
          port,
          logger,
          signInToken: process.env.HDS_SETUP_TOKEN || undefined,
          onNextSignInUrl: (url) => (firstLinkPrinted ? printNextLink(url) : waitingLinks.push(url)),
        });
      } catch (error) {
        // The command line was fine; the machine refused (port taken, not its address): exit 1.
        process.stderr.write(
          `error SERVE_CANNOT_LISTEN: ${cannotListen(host, port, error as NodeJS.ErrnoException)}\n`,
        );
        setExit(1);
        return;
      }
      // Handlers are in place before the link is printed: a Ctrl+C right after it must still wipe.
      let exiting = false;
      const shutdown = (signal: string) => {
        if (exiting) return;
        exiting = true;
        logger.info('stopping', { signal });
        void running.stop().then(() => {
          setExit(0);
          process.exit(0);
        });
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.stdout.write(`Express server listening on port ${running.port}.\n`);
      // The link alone on the second line (PRODUCT.md), so a terminal or a script takes it as is.
      process.stdout.write(`${running.signInUrl}\n`);
      process.stdout.write(
        'Open the link above in a browser on this machine to sign in. It works once; each sign-in prints the next link here.\n',
      );
      if (proxies.length) process.stdout.write(`Outbound proxy: ${proxies.join(', ')}\n`);
      firstLinkPrinted = true;
      for (const url of waitingLinks.splice(0)) printNextLink(url);
      await new Promise<never>(() => {});
    });
}

/**
 * A chosen sign-in token must be as hard to guess as a generated one (24 random bytes, 32
 * base64url characters) and survive a URL unchanged. The message never repeats the token.
 */
function signInTokenProblem(token: string | undefined): string | undefined {
  if (!token) return undefined;
  if (token.length >= 32 && /^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const what =
    token.length < 32 ? `is ${token.length} characters long` : 'holds characters other than A-Z a-z 0-9 - _';
  return `HDS_SETUP_TOKEN ${what}; a sign-in token must be at least 32 characters of URL-safe base64 (A-Z a-z 0-9 - _), e.g. from \`openssl rand -base64 24 | tr '+/' '-_'\`. Or unset HDS_SETUP_TOKEN to get a generated one.`;
}

/** Why the wizard could not start listening, and what to do about it. */
function cannotListen(host: string, port: number, error: NodeJS.ErrnoException): string {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${where} is already in use (another hds-setup, or another program). Stop it, or choose another port with --port.`;
    case 'EACCES':
      return `${where} needs privileges this user does not have (ports below 1024). Choose a port from 1024 up with --port.`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine. Use 127.0.0.1 (the default), or 0.0.0.0 inside a container.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--host ${host} is not an address or a name this machine can resolve. Use 127.0.0.1 (the default), or 0.0.0.0 inside a container.`;
    default:
      return `cannot listen on ${where} (${error.message}).`;
  }
}
