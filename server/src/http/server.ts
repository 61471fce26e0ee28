import { createServer, type Server } from 'node:http';
import { createApp } from './app.js';
import type { Logger } from './logger.js';
import { newSignInToken } from './sessions.js';

export interface RunningServer {
  server: Server;
  port: number;
  signInUrl: string;
  /** Stops accepting, lets in-flight requests finish (bounded), wipes every secret. */
  stop(): Promise<void>;
}

export interface StartOptions {
  host: string;
  port: number;
  logger: Logger;
  signInToken?: string;
}

const DRAIN_MS = 1500;

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const token = options.signInToken ?? newSignInToken();
  const { app, state, sessions } = createApp({
    signInToken: token,
    host: options.host,
    logger: options.logger,
  });
  const server = createServer(app);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  // The admin opens the link on their own machine: always loopback, even when bound to 0.0.0.0
  // inside a container.
  const signInUrl = `http://127.0.0.1:${port}/?token=${token}`;

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
