// A small HTTP proxy between the browser and the real server, driven by the tests, that
// breaks the answers of `POST /api/v1/records` the way one bar of signal does.
//
//   const proxy = await startProxy(server.url);
//   proxy.inject('drop-after-commit');         // the next batch: committed, answer lost
//   const held = proxy.inject('hold');          // the next batch waits for held.release()
//   await held.arrived;                         // ... it is in flight now
//   held.release('forward');                    // or 'drop-after-commit', 'cut-mid-body', ...
//
//   proxy.limitRecords(2);                      // a 413 page for any batch of more than 2
//   proxy.plainOnly(true);                      // a gzip batch gets an older server's 400
//   proxy.forwarded();                          // every request the server answered, with its body
//
// Faults apply in order to the next batches; everything else is forwarded untouched.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade',
  'proxy-connection', 'te', 'trailer',
]);

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The records of a batch's body, plain or gzip (the app compresses once the server says
 * it reads gzip, `docs/api.md`). */
function batchRecords(req, body) {
  const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
  return JSON.parse(text.toString('utf8')).records;
}

export async function startProxy(targetUrl) {
  let target = new URL(targetUrl);
  let blackoutUntil = 0;
  // A limit on the records a batch may carry, as a proxy's body size limit is.
  let maxRecords = Infinity;
  // Answers a compressed batch as a server that does not read gzip would (its JSON parser
  // fails on the bytes): 400 `malformed_json`, nothing stored.
  let refuseGzip = false;
  const faults = [];
  const log = [];
  // What reached the server and its answer: the phone's requests as a server saw them
  // (end2end/fixtures/capture.mjs keeps them for the next releases).
  const forwardedLog = [];
  const sockets = new Set();

  /** Sends the request on to the server; the server's whole answer. */
  function forward(req, body) {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const answer = { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
            forwardedLog.push({ method: req.method, url: req.url, headers: req.headers, body, answer });
            resolve(answer);
          });
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  function reply(res, answer) {
    const headers = {};
    for (const [k, v] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    headers['content-length'] = answer.body.length;
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  async function apply(kind, req, res, body, opts = {}) {
    switch (kind) {
      case 'forward':
        return reply(res, await forward(req, body));
      case 'drop-after-commit': {
        // The server commits and answers; the phone never hears it. The signal stays gone
        // a moment: Chromium silently retries a request whose reused connection closed
        // before any answer, and that retry must be lost too.
        await forward(req, body);
        blackoutUntil = Date.now() + 500;
        return req.socket.destroy();
      }
      case 'bad-gateway-html':
        res.writeHead(502, { 'content-type': 'text/html' });
        return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      case 'rate-limit':
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(opts.retryAfter ?? 2) });
        return res.end(JSON.stringify({ error: 'rate_limited', message: 'too many requests' }));
      case 'refuse': {
        // The server's 422: the named records break a rule; nothing was written.
        const records = batchRecords(req, body);
        const indexes = opts.indexes ?? [0];
        const refused = indexes.filter((i) => i < records.length).map((i) => ({
          index: i,
          id: records[i].id,
          errors: opts.errors ?? [{ field: 'milieu', reason: 'unknown_code' }],
        }));
        res.writeHead(422, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'invalid_records', message: 'refused', records: refused }));
      }
      case 'hang':
        // Never answers: the phone's timeout must fire. The socket is closed at stop().
        return undefined;
      case 'cut-mid-body': {
        const answer = await forward(req, body);
        const headers = { 'content-type': 'application/json', 'content-length': answer.body.length };
        res.writeHead(answer.status, headers);
        res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
        return setTimeout(() => req.socket.destroy(), 50);
      }
      case 'server-down':
        // The upstream is gone: what a proxy answers when its backend died mid-request.
        try {
          return reply(res, await forward(req, body));
        } catch {
          res.writeHead(502, { 'content-type': 'text/html' });
          return res.end('<html><body>upstream died</body></html>');
        }
      default:
        throw new Error(`unknown fault ${kind}`);
    }
  }

  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    if (Date.now() < blackoutUntil) {
      log.push({ method: req.method, path: req.url.split('?')[0], fault: 'blackout' });
      return req.socket.destroy();
    }
    const isBatch = req.method === 'POST' && req.url.split('?')[0] === '/api/v1/records';
    const encoding = req.headers['content-encoding'] ?? null;
    if (isBatch && batchRecords(req, body).length > maxRecords) {
      // What nginx answers past its `client_max_body_size`: an HTML 413; the server never sees it.
      log.push({ method: req.method, path: req.url.split('?')[0], fault: 'too-large', encoding });
      res.writeHead(413, { 'content-type': 'text/html' });
      return res.end('<html><body><h1>413 Request Entity Too Large</h1></body></html>');
    }
    if (isBatch && refuseGzip && encoding) {
      log.push({ method: req.method, path: req.url.split('?')[0], fault: 'plain-only', encoding });
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: 'malformed_json', message: 'expected value at line 1 column 1' }));
    }
    const fault = isBatch ? faults.shift() : undefined;
    log.push({ method: req.method, path: req.url.split('?')[0], fault: fault?.kind ?? null, encoding });
    try {
      if (!fault) {
        try {
          return reply(res, await forward(req, body));
        } catch {
          res.writeHead(502, { 'content-type': 'text/html' });
          return res.end('<html><body>upstream unreachable</body></html>');
        }
      }
      if (fault.kind === 'hold') {
        fault.onArrive();
        const then = await fault.released;
        return apply(then.kind, req, res, body, then.opts);
      }
      fault.onArrive?.();
      return apply(fault.kind, req, res, body, fault.opts);
    } catch (e) {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(`<html><body>${String(e)}</body></html>`);
      } else {
        req.socket.destroy();
      }
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    /** Queues a fault for the next batch; 'hold' returns { arrived, release(kind, opts) }. */
    inject(kind, opts = {}) {
      const fault = { kind, opts };
      fault.arrived = new Promise((r) => { fault.onArrive = r; });
      if (kind === 'hold') {
        fault.released = new Promise((r) => {
          fault.release = (then = 'forward', thenOpts = {}) => r({ kind: then, opts: thenOpts });
        });
      }
      faults.push(fault);
      return fault;
    },
    /** Whether compressed batches get an older server's 400. */
    plainOnly(on) {
      refuseGzip = on;
    },
    /** Faults not used yet. */
    pendingFaults() {
      return faults.length;
    },
    /**
     * Every request the server answered, in order: `{ method, url, headers, body, answer:
     * { status, headers, body } }` (bodies as Buffers, as they went on the wire).
     */
    forwarded() {
      return forwardedLog;
    },
    /** Batches that reached the proxy. */
    batches() {
      return log.filter((l) => l.method === 'POST' && l.path === '/api/v1/records');
    },
    /** Refuses with a 413 every batch of more than `n` records (`Infinity`: none). */
    limitRecords(n) {
      maxRecords = n;
    },
    /** Points the proxy at another server (the same one, restarted). */
    setTarget(url) {
      target = new URL(url);
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
