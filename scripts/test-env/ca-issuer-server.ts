import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What one path answers: bytes (200), a status, a redirect (with a body that never ends, if asked),
 * or nothing ever (a hung server).
 */
export type CaIssuerRoute =
  | Buffer
  | { status: number }
  | { redirect: string; endlessBody?: boolean }
  | 'hang';

export interface CaIssuerServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Every request, in order: the path and the Via header a proxy adds. */
  requests: { path: string; via: string | undefined }[];
  /** Endless redirect bodies still being sent (the client has not closed the connection). */
  endlessBodiesOpen(): number;
  close(): Promise<void>;
}

/**
 * A CA's certificate download site (what a caIssuers URL points at), on loopback. Routes may be
 * added after start: the leaf certificates that name the URL need the port first.
 */
export async function startCaIssuerServer(routes: Record<string, CaIssuerRoute>): Promise<CaIssuerServer> {
  const requests: CaIssuerServer['requests'] = [];
  const sockets = new Set<Socket>();
  let endless = 0;
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const via = req.headers.via;
    requests.push({ path, via: typeof via === 'string' ? via : undefined });
    const route = routes[path];
    if (route === 'hang') return;
    if (route === undefined) return void res.writeHead(404, 'Not Found').end();
    if (Buffer.isBuffer(route))
      return void res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(route);
    if ('redirect' in route && route.endlessBody) {
      res.writeHead(302, { location: route.redirect });
      endless++;
      res.once('close', () => endless--);
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      return pump();
    }
    if ('redirect' in route) return void res.writeHead(302, { location: route.redirect }).end();
    res.writeHead(route.status).end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    endlessBodiesOpen: () => endless,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface HttpProxy {
  port: number;
  /** Every request it received: the absolute URL asked for and the Proxy-Authorization sent. */
  seen: { url: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/**
 * A forwarding HTTP proxy (absolute-URI requests, RFC 9112 3.2.2; no CONNECT) that demands Basic
 * Proxy-Authorization with `user:password`, answers 407 otherwise, and marks what it forwards
 * with `Via: 1.1 hds-test-proxy` so the origin can tell the request came through it.
 */
export async function startHttpProxy(user: string, password: string): Promise<HttpProxy> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const seen: HttpProxy['seen'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const authorization = req.headers['proxy-authorization'];
    seen.push({ url: req.url ?? '', authorization });
    if (authorization !== expected)
      return void res
        .writeHead(407, 'Proxy Authentication Required', { 'proxy-authenticate': 'Basic realm="test"' })
        .end();
    const headers = { ...req.headers, via: '1.1 hds-test-proxy' };
    delete headers['proxy-authorization'];
    const upstream = httpRequest(req.url!, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502, 'Bad Gateway').end());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
