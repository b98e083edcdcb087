/**
 * A small, focused Graph API stand-in for this package's integration tests: a real `node:http`
 * server on 127.0.0.1 (port 0) that serves exactly the bodies and headers a test scripts, records
 * every request, and can misbehave (hang, stall mid-body, reset, send HTML or broken JSON).
 * Not an emulator: the Graph API sandbox lives in `packages/meta-sandbox`.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Full request target (path + query) as received. */
  url: string;
  /** Path without the `/vNN.N` version prefix and without query, e.g. `/act_1/insights`. */
  route: string;
  version: string | undefined;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Form fields of a urlencoded body, else empty. */
  form: URLSearchParams;
  /** Query and form merged (form wins). */
  params: URLSearchParams;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface FakeGraphServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Registers a handler for `METHOD route` (route without version); later registrations win. */
  on(method: string, route: string | RegExp, handler: Handler): void;
  /** Clears handlers and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeGraphServer(): Promise<FakeGraphServer> {
  let routes: Array<{ method: string; route: string | RegExp; handler: Handler }> = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake.local');
      const match = /^\/(v\d+\.\d+)(\/.*)?$/.exec(url.pathname);
      const route = match ? (match[2] ?? '/') : url.pathname;
      const isForm = /application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '');
      const form = new URLSearchParams(isForm ? body : '');
      const params = new URLSearchParams(url.searchParams);
      for (const [k, v] of form) params.set(k, v);
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        route,
        version: match?.[1],
        query: url.searchParams,
        headers: req.headers,
        body,
        form,
        params,
      };
      requests.push(recorded);
      const found = [...routes]
        .reverse()
        .find(
          (r) =>
            r.method === recorded.method &&
            (typeof r.route === 'string' ? r.route === route : r.route.test(route)),
        );
      if (!found) {
        sendJson(res, 404, {
          error: { message: `Unknown path components: ${route}`, type: 'OAuthException', code: 2500 },
        });
        return;
      }
      Promise.resolve(found.handler(recorded, res)).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 599, { error: { message: String(error), code: -99 } });
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    on(method, route, handler) {
      routes.push({ method, route, handler });
    },
    reset() {
      routes = [];
      requests.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, headers);
  res.end(text);
}

/** An HTML error page as a proxy or load balancer would send it. */
export const HTML_ERROR_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';

/** Never answers (headers timeout). */
export function hang(): Handler {
  return () => undefined;
}

/** Sends headers and part of a body, then stalls (body timeout). */
export function stallBody(headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.write('{"data":[');
  };
}

/** Destroys the socket without a response (network error). */
export function resetConnection(): Handler {
  return (_req, res) => {
    res.socket?.destroy();
  };
}
