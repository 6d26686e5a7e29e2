// A remote cache for Nx as Nx's published OpenAPI describes it (self-hosted caching):
// PUT /v1/cache/{hash} stores a tar (202; 409 if the hash is taken), GET returns it (200) or
// 404, and a request without `Authorization: Bearer <token>` is refused (403). It listens on
// 127.0.0.1 only, prints its port, appends one JSON line per request to the log file it is given
// (before it answers, so a client that has its answer finds the line), and exits when its stdin
// closes (the test that started it is gone).
const http = require('node:http');
const { appendFileSync } = require('node:fs');
const [token, logFile] = process.argv.slice(2);
const store = new Map();
const say = (o) => (o.port ? process.stdout.write(`${JSON.stringify(o)}\n`) : appendFileSync(logFile, `${JSON.stringify(o)}\n`));
const server = http.createServer((req, res) => {
  const m = /^\/v1\/cache\/([^/?]+)$/.exec(req.url || '');
  const reply = (status, body) => {
    say({ method: req.method, hash: m ? m[1] : req.url, status });
    res.writeHead(status, body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {});
    res.end(body);
  };
  if (req.headers.authorization !== `Bearer ${token}`) return reply(403);
  if (!m) return reply(404);
  if (req.method === 'GET') return store.has(m[1]) ? reply(200, store.get(m[1])) : reply(404);
  if (req.method !== 'PUT') return reply(405);
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (store.has(m[1])) return reply(409);
    store.set(m[1], Buffer.concat(chunks));
    reply(202);
  });
});
server.listen(0, '127.0.0.1', () => say({ port: server.address().port }));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
