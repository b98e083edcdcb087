/**
 * A loopback HTTP server standing in for PostgREST in the tests of the repository's HTTP layer
 * (postgrest-fetch, json-rpc, the request deadline): it records every request with its body, then lets the
 * test answer it (or not: a response left open stalls until `close`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Every request so far, in order. */
  seen: RecordedRequest[];
  /** Stops the server, ending the connections of answers left open. */
  close(): Promise<void>;
}

export async function startRecordingServer(
  answer: (request: RecordedRequest, res: ServerResponse) => void,
): Promise<RecordingServer> {
  const seen: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      answer(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `http://127.0.0.1:<port>` of a port nothing listens on (a server opened there and closed again). */
export async function refusedUrl(): Promise<string> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  return `http://127.0.0.1:${port}`;
}
