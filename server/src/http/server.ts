import { createServer, type Server } from 'node:http';
import { createApp } from './app.js';
import type { Logger } from './logger.js';
import { newSignInToken } from './sessions.js';

export interface RunningServer {
  server: Server;
  port: number;
  /** The first one-time sign-in link. */
  signInUrl: string;
  /** Stops accepting, lets in-flight requests finish (bounded), wipes every secret. */
  stop(): Promise<void>;
}

export interface StartOptions {
  host: string;
  port: number;
  logger: Logger;
  /** The first one-time token (HDS_SETUP_TOKEN); generated when absent. */
  signInToken?: string;
  /** Receives the next one-time link each time a link signs in (serve prints it). */
  onNextSignInUrl?: (url: string) => void;
}

const DRAIN_MS = 1500;

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const token = options.signInToken ?? newSignInToken();
  let port = options.port;
  // The admin opens the link on their own machine: always loopback, even when bound to 0.0.0.0
  // inside a container.
  const linkFor = (t: string) => `http://127.0.0.1:${port}/?token=${t}`;
  const { app, state, sessions } = createApp({
    signInToken: token,
    host: options.host,
    logger: options.logger,
    onSignInTokenIssued: (next) => options.onNextSignInUrl?.(linkFor(next)),
  });
  // A request without Host reaches the host check (421 with a JSON body), not Node's bare 400.
  const server = createServer({ requireHostHeader: false }, app);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : options.port;
  const signInUrl = linkFor(token);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    }).finally(() => {
      sessions.closeAll();
      state.wipe();
    });
    return stopping;
  };
  return { server, port, signInUrl, stop };
}
