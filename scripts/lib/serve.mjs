// A static file server for build/site, on 127.0.0.1 only: compressed (brotli or gzip) where the
// browser accepts it, the hashed assets cached for good and the rest revalidated (encoding.mjs).
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { pipeline } from "node:stream";
import { acceptedEncodings, cacheControl, encodedFile, etagOf } from "./encoding.mjs";

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

function handler(root) {
  return (request, response) => {
    let path;
    try {
      path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    } catch {
      response.writeHead(400).end("bad request");
      return;
    }
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403).end("forbidden");
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}`);
      return;
    }
    const stats = statSync(file);
    const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    const etag = etagOf(stats);
    const common = {
      "cache-control": cacheControl(path),
      etag,
      vary: "Accept-Encoding",
      "x-content-type-options": "nosniff",
    };
    if (request.headers["if-none-match"] === etag) {
      response.writeHead(304, common).end();
      return;
    }
    const sent = encodedFile(file, type, acceptedEncodings(request.headers["accept-encoding"]), stats.size);
    response.writeHead(200, {
      ...common,
      "content-type": type,
      ...(sent.encoding ? { "content-encoding": sent.encoding } : {}),
      ...(sent.size === null ? {} : { "content-length": sent.size }),
    });
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    const streams = [createReadStream(sent.file), ...(sent.transform ? [sent.transform()] : []), response];
    pipeline(streams, (error) => {
      if (error) response.destroy();
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
 */
export async function serve(root, port = 8080) {
  const server = createServer(handler(normalize(root)));
  try {
    const bound = await listen(server, port);
    return { server, url: `http://127.0.0.1:${bound}/`, fellBack: false };
  } catch (error) {
    if (error.code !== "EADDRINUSE" && error.code !== "EACCES") throw error;
    const bound = await listen(server, 0);
    return { server, url: `http://127.0.0.1:${bound}/`, fellBack: true };
  }
}
