// A static file server for build/site, on 127.0.0.1 only (README.md, "npm start", says what it
// answers): GET and HEAD of the regular files whose real path is under its root, nothing else;
// compressed (brotli or gzip) where the browser accepts it, the hashed assets cached for good and
// the rest revalidated (encoding.mjs).
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { pipeline } from "node:stream";
import { acceptedEncodings, COMPRESSIBLE, cacheControl, compressor, etagOf } from "./encoding.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".ipynb": "application/x-ipynb+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".otf": "font/otf",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Headers on every answer, files and errors alike. COOP and COEP make the pages cross-origin
 * isolated, so that @quantlab/core may use shared WebAssembly memory and worker threads there.
 */
const COMMON = {
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

const REASONS = {
  301: "moved permanently",
  400: "bad request",
  403: "forbidden",
  404: "not found",
  405: "method not allowed",
  500: "internal server error",
};

/** Errors of the file system, as answers: missing is 404, not permitted is 403, the rest 500. */
const STATUS_OF = {
  ENOENT: 404,
  ENOTDIR: 404,
  ELOOP: 404,
  ENAMETOOLONG: 404,
  EACCES: 403,
  EPERM: 403,
};

// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer (it is then refused
// as not a regular file). O_NOFOLLOW: the last component was resolved already; a link put there
// since is not followed.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** An answer other than the file: its status and any extra headers. */
class Answer extends Error {
  constructor(status, headers = {}) {
    super(REASONS[status]);
    this.status = status;
    this.headers = headers;
  }
}

/** Sends a short plain-text answer. The body never repeats anything from the request. */
function sendAnswer(request, response, { status, headers }) {
  const body = `${status} ${REASONS[status]}\n`;
  response.writeHead(status, {
    ...COMMON,
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

/** Whether `path` is `root` or below it (both absolute and normalized). */
function inside(root, path) {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The request's path, decoded, as a path under root (not yet resolved); throws an Answer. */
function requestedPath(root, url) {
  // Origin-form only ("/a/b?q"): a "//host" prefix is kept as part of the path, not read as a host.
  if (!url.startsWith("/")) throw new Answer(400);
  let decoded;
  try {
    decoded = decodeURIComponent(new URL(`http://127.0.0.1${url}`).pathname);
  } catch {
    throw new Answer(400);
  }
  if (decoded.includes("\0")) throw new Answer(400);
  const path = normalize(join(root, decoded));
  if (!inside(root, path)) throw new Answer(403);
  return { path, slash: decoded.endsWith("/") };
}

/**
 * Opens the file or folder at `path` if its real path (every link resolved) is under root.
 * Resolves to { handle, stats, real }; throws an Answer.
 */
async function openInside(root, path) {
  let real;
  let handle;
  try {
    real = await realpath(path);
    if (!inside(root, real)) throw new Answer(403);
    handle = await open(real, READ_FLAGS);
    return { handle, stats: await handle.stat(), real };
  } catch (error) {
    await handle?.close().catch(() => {});
    if (error instanceof Answer) throw error;
    throw new Answer(STATUS_OF[error.code] ?? 500);
  }
}

/** The regular file a request names (a folder's index.html); throws an Answer. */
async function findFile(root, url) {
  const { path, slash } = requestedPath(root, url);
  let found = await openInside(root, path);
  if (found.stats.isDirectory()) {
    await found.handle.close();
    if (!slash) {
      // Relative links in the folder's index.html need the slash. The location is rebuilt from
      // the normalized path, so it stays on this server.
      const segments = relative(root, path).split(sep).map(encodeURIComponent);
      throw new Answer(301, { location: `/${segments.join("/")}/` });
    }
    found = await openInside(root, join(found.real, "index.html"));
  }
  if (!found.stats.isFile()) {
    await found.handle.close();
    throw new Answer(404);
  }
  return found;
}

/**
 * The precompressed copy (NAME.br or NAME.gz beside NAME, written by the site build) of the
 * first encoding the browser accepts that has one, opened; or null.
 */
async function openSibling(root, real, encodings) {
  for (const encoding of encodings) {
    try {
      const found = await openInside(root, `${real}.${encoding === "br" ? "br" : "gz"}`);
      if (found.stats.isFile()) return { ...found, encoding };
      await found.handle.close();
    } catch {
      // No copy in this encoding.
    }
  }
  return null;
}

/**
 * Sends an opened file: a 304 when the browser's copy is current; else the precompressed sibling
 * in an accepted encoding, or text over 1 KB compressed as it is sent, or the bytes as they are.
 * A read error after the headers ends the connection.
 */
async function sendFile(root, request, response, { handle, stats, real }) {
  const type = TYPES[extname(real).toLowerCase()] ?? "application/octet-stream";
  const etag = etagOf(stats);
  const path = `/${relative(root, real).split(sep).join("/")}`;
  const headers = { ...COMMON, "cache-control": cacheControl(path), etag, vary: "Accept-Encoding" };
  if (request.headers["if-none-match"] === etag) {
    handle.close().catch(() => {});
    response.writeHead(304, headers);
    response.end();
    return;
  }
  const encodings = acceptedEncodings(request.headers["accept-encoding"]);
  let body = { handle, stats, encoding: null };
  let transform = null;
  const sibling = encodings.length > 0 ? await openSibling(root, real, encodings) : null;
  if (sibling) {
    handle.close().catch(() => {});
    body = sibling;
  } else if (encodings.length > 0 && COMPRESSIBLE.test(type) && stats.size > 1024) {
    body.encoding = encodings[0];
    transform = compressor(encodings[0], stats.size);
  }
  response.writeHead(200, {
    ...headers,
    "content-type": type,
    ...(body.encoding ? { "content-encoding": body.encoding } : {}),
    ...(transform ? {} : { "content-length": body.stats.size }),
  });
  if (request.method === "HEAD" || body.stats.size === 0) {
    body.handle.close().catch(() => {});
    response.end();
    return;
  }
  const stream = body.handle.createReadStream({ start: 0, end: body.stats.size - 1 });
  const streams = transform ? [stream, transform, response] : [stream, response];
  pipeline(streams, (error) => {
    if (error) response.destroy();
  });
}

function handler(root) {
  return (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      sendAnswer(request, response, new Answer(405, { allow: "GET, HEAD" }));
      return;
    }
    findFile(root, request.url)
      .then((found) => sendFile(root, request, response, found))
      .catch((error) => {
        if (response.headersSent) response.destroy();
        else sendAnswer(request, response, error instanceof Answer ? error : new Answer(500));
      });
  };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (error) => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve(server.address().port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, "127.0.0.1");
  });
}

/**
 * Serves the folder `root` on 127.0.0.1:port; if that port is taken, on a free port.
 * Resolves to { server, url, fellBack }.
 * @example
 *   const { server, url } = await serve("build/site", 0);
 */
export async function serve(root, port = 8080) {
  const server = createServer(handler(await realpath(root)));
  try {
    const bound = await listen(server, port);
    return { server, url: `http://127.0.0.1:${bound}/`, fellBack: false };
  } catch (error) {
    if (error.code !== "EADDRINUSE" && error.code !== "EACCES") throw error;
    const bound = await listen(server, 0);
    return { server, url: `http://127.0.0.1:${bound}/`, fellBack: true };
  }
}
