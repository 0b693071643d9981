/**
 * The ceiling for feed requests: a bare `node:http` server answering every request with the
 * bytes of BODY_FILE (and its content type and ETag), nothing else. Run as a child by
 * bench/syndication.bench.ts, as the service is, so both pay for a process of their own.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const body = readFileSync(process.env['BODY_FILE'] ?? '');
const type = process.env['BODY_TYPE'] ?? 'application/octet-stream';
const etag = process.env['BODY_ETAG'] ?? '"bare"';
const server = createServer((req, res) => {
  if (req.url === '/readyz') return void res.end('ok');
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag });
    return void res.end();
  }
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, etag });
  res.end(body);
});
server.keepAliveTimeout = 5_000;
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
