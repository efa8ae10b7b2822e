// Serves a built admin app (Trunk's `dist/`) on loopback: the main
// command's server (`scripts/demo.sh`) and the end-to-end suite's, one piece
// of code for both. No file watcher and no build: it only reads files.
//
//   node scripts/serve-dist.mjs [DIR] [PORT]     # default dist, 8080
//
// Addresses that name no file get `index.html` (the app routes in the
// browser); a malformed address is a 400, a method other than GET or HEAD a
// 405, and nothing outside DIR is ever read.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The file under `root` an address names, or null when it names none (or is malformed). */
export function fileFor(root, url) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return { bad: true };
  }
  if (pathname.includes('\0')) return { bad: true };
  const path = resolve(root, `.${pathname}`);
  if (path !== root && !path.startsWith(root + sep)) return { bad: true };
  return { path };
}

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A request handler serving `dir`. */
export function handler(dir) {
  const root = resolve(dir);
  return async (request, response) => {
    const plain = (status, text, headers = {}) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      response.end(`${text}\n`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed', { allow: 'GET, HEAD' });
    const { bad, path } = fileFor(root, request.url ?? '/');
    if (bad) return plain(400, 'bad request');
    const file = (await isFile(path)) ? path : join(root, 'index.html');
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      plain(500, `cannot read ${file}: build the app first (bash scripts/web.sh build)`);
    }
  };
}

/** Starts serving `dir` on 127.0.0.1:`port` (0: any free port); resolves to the server. */
export async function serveDist(dir, port = 0) {
  const server = createServer(handler(dir));
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  return server;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'dist';
  if (!(await isFile(join(dir, 'index.html')))) {
    console.error(`serve-dist: no ${join(dir, 'index.html')}: build the app first (bash scripts/web.sh build)`);
    process.exit(1);
  }
  const server = await serveDist(dir, Number(process.argv[3] ?? 8080));
  console.log(`the admin app is at http://127.0.0.1:${server.address().port}/ (Ctrl-C stops it)`);
}
