// What the static server (serve.mjs) sends besides a file's bytes: the cache policy of a path, a
// validator, the encodings a browser accepts, and the compressor for text without a precompressed
// copy (NAME.br and NAME.gz beside NAME, written by the site build).
import { constants, createBrotliCompress, createGzip } from "node:zlib";

/**
 * The Cache-Control of a URL path: the files under /assets/ carry a hash of their content in
 * their names (VitePress's bundles, plotly.js, the figures' data), so they are kept for a year and
 * never revalidated; everything else (pages, notebooks) is revalidated on every use.
 *
 * @example
 * [cacheControl("/assets/app.Bx1.js"), cacheControl("/lessons/01-symmetric.html")];
 * // => ["public, max-age=31536000, immutable", "no-cache"]
 */
export function cacheControl(path) {
  return path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
}

/** A weak validator from the file's size and modification time. */
export const etagOf = (stats) =>
  `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;

/**
 * The encodings an Accept-Encoding header allows, of those we send, in our order of preference
 * (brotli, then gzip); an encoding with q=0 is refused.
 *
 * @example
 * acceptedEncodings("gzip, deflate, br;q=0.5");
 * // => ["br", "gzip"]
 */
export function acceptedEncodings(header = "") {
  const q = new Map();
  for (const part of header.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    if (!name) continue;
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    q.set(name, weight === undefined ? 1 : Number(weight));
  }
  const allowed = (name) => (q.get(name) ?? q.get("*") ?? 0) > 0;
  return ["br", "gzip"].filter(allowed);
}

/** The content types worth compressing. */
export const COMPRESSIBLE = /^(?:text\/|application\/(?:json|x-ipynb\+json|xml)|image\/svg\+xml)/;

/**
 * The stream that compresses a file of `size` bytes as it is sent: brotli at quality 5 or gzip at
 * level 6 (fast; the site build precompresses the big files harder).
 *
 * @example
 * compressor("gzip", 4096).constructor.name;
 * // => "Gzip"
 */
export function compressor(encoding, size) {
  return encoding === "br"
    ? createBrotliCompress({
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: size },
      })
    : createGzip({ level: 6 });
}
