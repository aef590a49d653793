// The static server (scripts/lib/serve.mjs): it survives files it cannot read or that vanish,
// serves only real files under its root, GET and HEAD only, with nosniff and a content type on
// every answer, and never echoes the request path.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from "node:zlib";
import { serve } from "../lib/serve.mjs";

const FIXTURES = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures");

/** A raw request (the path is sent as is: no client-side normalisation). */
function request(base, path, { method = "GET", headers = {} } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method, headers }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** A site folder anyone can read (the unprivileged server must reach it). */
function makeSite() {
  const root = mkdtempSync(join(tmpdir(), "quantlab-serve-"));
  chmodSync(root, 0o755);
  writeFileSync(join(root, "index.html"), "<!DOCTYPE html><title>index</title>");
  writeFileSync(join(root, "page.html"), "<!DOCTYPE html><title>page</title>");
  writeFileSync(join(root, "data.json"), "{}");
  writeFileSync(join(root, "blob.xyz"), "?");
  mkdirSync(join(root, "sub"));
  writeFileSync(join(root, "sub", "index.html"), "<!DOCTYPE html><title>sub</title>");
  mkdirSync(join(root, "empty"));
  return root;
}

/** Starts serve-child.mjs (as `nobody` when we are root); resolves once it prints its address. */
function startChild(root, { asNobody = false, imports = [] } = {}) {
  const node = [...imports.flatMap((file) => ["--import", join(FIXTURES, file)])];
  node.push(join(FIXTURES, "serve-child.mjs"), root);
  const [command, args] = asNobody
    ? [
        "setpriv",
        ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, ...node],
      ]
    : [process.execPath, node];
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("\n")) resolve(stdout.trim());
    });
    exited.then(({ code }) => reject(new Error(`serve-child exited (${code}): ${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}

/** Asserts that the child still runs and still serves the index. */
async function assertAlive(server) {
  const url = await server.url;
  const alive = await Promise.race([
    request(url, "/").then((res) => res.status),
    server.exited.then(({ code, signal }) => `exited (code ${code}, signal ${signal})`),
  ]);
  assert.equal(alive, 200, `the server died: ${server.stderr()}`);
}

/** Runs `check(server, url)` against serve-child.mjs on `root`, then stops it and removes `root`. */
async function withChild(root, options, check) {
  const server = startChild(root, options);
  try {
    await check(server, await server.url);
  } finally {
    server.child.kill();
    rmSync(root, { recursive: true, force: true });
  }
}

describe("D1: the server survives a file it cannot read", () => {
  const isRoot = process.getuid?.() === 0;
  const hasSetpriv = spawnSync("setpriv", ["--version"]).status === 0;

  test("a file without read permission: 403, and it keeps serving", async (t) => {
    if (isRoot && !hasSetpriv) {
      t.skip("root without setpriv: cannot run the server unprivileged here");
      return;
    }
    const root = makeSite();
    writeFileSync(join(root, "locked.html"), "secret");
    chmodSync(join(root, "locked.html"), 0o000);
    mkdirSync(join(root, "closed"));
    writeFileSync(join(root, "closed", "index.html"), "secret");
    await withChild(root, { asNobody: isRoot }, async (server, url) => {
      chmodSync(join(root, "closed"), 0o000);
      try {
        for (const path of ["/locked.html", "/closed/", "/closed/index.html"]) {
          const res = await request(url, path).catch((error) => ({ status: error.code }));
          assert.equal(res.status, 403, `${path}: ${server.stderr()}`);
          assert.ok(!res.body.includes("secret"));
          await assertAlive(server);
        }
      } finally {
        chmodSync(join(root, "closed"), 0o755); // else rmSync cannot empty the folder
      }
    });
  });

  test("a file removed between the checks and the read: 404, and it keeps serving", async () => {
    const root = makeSite();
    await withChild(root, { imports: ["faults.mjs"] }, async (server, url) => {
      for (let i = 0; i < 3; i++) {
        writeFileSync(join(root, "vanish.html"), "gone soon");
        const res = await request(url, "/vanish.html").catch((error) => ({ status: error.code }));
        assert.equal(res.status, 404, server.stderr());
        await assertAlive(server);
      }
    });
  });

  test("a read that fails after the headers: the connection is cut, and it keeps serving", async () => {
    const root = makeSite();
    writeFileSync(join(root, "readfail.html"), "x".repeat(100_000));
    await withChild(root, { imports: ["faults.mjs"] }, async (server, url) => {
      for (let i = 0; i < 3; i++) {
        // Either the headers came and the body was cut short, or the connection closed first.
        const outcome = await request(url, "/readfail.html").then(
          (res) => `status ${res.status}, ${res.body.length} bytes`,
          (error) => error.code ?? error.message,
        );
        assert.notEqual(outcome, "status 200, 100000 bytes", server.stderr());
        await assertAlive(server);
      }
    });
  });

  test("a FIFO in the site: 404 at once (no read that waits for a writer)", async () => {
    const root = makeSite();
    const made = spawnSync("mkfifo", [join(root, "pipe.html")]);
    assert.equal(made.status, 0, "mkfifo failed");
    await withChild(root, {}, async (server, url) => {
      const res = await request(url, "/pipe.html");
      assert.equal(res.status, 404);
      await assertAlive(server);
    });
  });
});

describe("what the server serves and answers", () => {
  let root;
  let outside;
  let server;
  let url;
  before(async () => {
    root = makeSite();
    outside = mkdtempSync(join(tmpdir(), "quantlab-outside-"));
    writeFileSync(join(outside, "secret.txt"), "outside secret");
    symlinkSync(join(outside, "secret.txt"), join(root, "link-out.txt"));
    symlinkSync(outside, join(root, "dir-out"));
    symlinkSync("/etc/passwd", join(root, "passwd"));
    symlinkSync(join(root, "page.html"), join(root, "link-in.html"));
    symlinkSync(join(root, "sub"), join(root, "sub-link"));
    symlinkSync(join(root, "missing"), join(root, "dangling.html"));
    ({ server, url } = await serve(root, 0));
  });
  after(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  test("listens on 127.0.0.1 only", () => {
    assert.equal(server.address().address, "127.0.0.1");
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test("files and folders: 200 with their type, nosniff and a length", async () => {
    const cases = [
      ["/", "text/html; charset=utf-8", "<title>index</title>"],
      ["/page.html", "text/html; charset=utf-8", "<title>page</title>"],
      ["/sub/", "text/html; charset=utf-8", "<title>sub</title>"],
      ["/data.json", "application/json; charset=utf-8", "{}"],
      ["/blob.xyz", "application/octet-stream", "?"],
      ["/link-in.html", "text/html; charset=utf-8", "<title>page</title>"],
      ["/sub-link/", "text/html; charset=utf-8", "<title>sub</title>"],
      ["/page.html?x=1#y", "text/html; charset=utf-8", "<title>page</title>"],
    ];
    for (const [path, type, text] of cases) {
      const res = await request(url, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers["content-type"], type, path);
      assert.equal(res.headers["x-content-type-options"], "nosniff", path);
      assert.equal(res.headers["cross-origin-opener-policy"], "same-origin", path);
      assert.equal(res.headers["cross-origin-embedder-policy"], "require-corp", path);
      assert.equal(Number(res.headers["content-length"]), Buffer.byteLength(res.body), path);
      assert.ok(res.body.includes(text), path);
    }
  });

  test("a folder without its slash: 301 to the folder with it, built from the resolved path", async () => {
    for (const [path, location] of [
      ["/sub", "/sub/"],
      ["/sub-link", "/sub-link/"],
      ["//sub", "/sub/"],
      ["/empty/../sub", "/sub/"],
    ]) {
      const res = await request(url, path);
      assert.equal(res.status, 301, path);
      assert.equal(res.headers.location, location, path);
      assert.equal(res.headers["x-content-type-options"], "nosniff", path);
    }
  });

  test("HEAD: the headers of GET, no body", async () => {
    const get = await request(url, "/page.html");
    const head = await request(url, "/page.html", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    assert.equal(head.headers["content-length"], get.headers["content-length"]);
    assert.equal(head.headers["content-type"], get.headers["content-type"]);
  });

  test("other methods: 405 with Allow: GET, HEAD, and the file is not sent", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]) {
      const res = await request(url, "/page.html", { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.allow, "GET, HEAD", method);
      assert.ok(!res.body.includes("<title>page</title>"), method);
      assert.equal(res.headers["x-content-type-options"], "nosniff", method);
      assert.match(res.headers["content-type"], /^text\/plain/, method);
    }
  });

  test("links out of the root are refused; only real files under it are served", async () => {
    for (const path of ["/link-out.txt", "/dir-out/secret.txt", "/dir-out/", "/passwd"]) {
      const res = await request(url, path);
      assert.equal(res.status, 403, path);
      assert.ok(!res.body.includes("secret") && !res.body.includes("root:"), path);
    }
    assert.equal((await request(url, "/dangling.html")).status, 404);
  });

  test("paths out of the root never serve anything outside", async () => {
    const cases = [
      "/../../../../etc/passwd",
      "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
      "/sub/..%2f..%2f..%2fetc%2fpasswd",
      "/..%5c..%5cetc%5cpasswd",
      "//etc/passwd",
      "/%00",
      "/page.html%00.txt",
      "/%E0%A4%A",
    ];
    for (const path of cases) {
      const res = await request(url, path);
      assert.ok([400, 403, 404].includes(res.status), `${path}: ${res.status}`);
      assert.ok(!res.body.includes("root:"), path);
    }
  });

  test("errors: a content type, nosniff, and no echo of the request path", async () => {
    const cases = [
      ["/no-such-page-<script>alert(1)</script>.html", 404],
      ["/empty/", 404],
      ["/%E0%A4%A", 400],
      ["/link-out.txt", 403],
    ];
    for (const [path, status] of cases) {
      const res = await request(url, path);
      assert.equal(res.status, status, path);
      assert.match(res.headers["content-type"], /^text\/plain; charset=utf-8$/, path);
      assert.equal(res.headers["x-content-type-options"], "nosniff", path);
      assert.ok(!res.body.includes("script") && !res.body.includes("no-such"), path);
      assert.ok(!res.body.includes("empty") && !res.body.includes("link-out"), path);
    }
  });

  test("a site folder that does not exist: 404, not a crash", async () => {
    const gone = join(root, "gone");
    mkdirSync(gone);
    const other = await serve(gone, 0);
    try {
      rmSync(gone, { recursive: true });
      assert.equal((await request(other.url, "/")).status, 404);
    } finally {
      other.server.close();
    }
    assert.ok(statSync(root).isDirectory());
  });
});

describe("compression and caching", () => {
  let root;
  let server;
  let url;
  const text = `<!DOCTYPE html><title>big</title>${"<p>quantization</p>".repeat(200)}`;
  before(async () => {
    root = makeSite();
    writeFileSync(join(root, "big.html"), text);
    mkdirSync(join(root, "assets"));
    writeFileSync(join(root, "assets", "app.3f2a.js"), "x".repeat(4000));
    writeFileSync(join(root, "assets", "app.3f2a.js.br"), brotliCompressSync("x".repeat(4000)));
    ({ server, url } = await serve(root, 0));
  });
  after(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Like request(), with the body kept as bytes. */
  const raw = (path, headers) =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(url);
      httpRequest({ hostname, port, path, headers }, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
        .on("error", reject)
        .end();
    });

  test("a precompressed sibling is sent to a browser that accepts it, with its length", async () => {
    const res = await raw("/assets/app.3f2a.js", { "accept-encoding": "gzip, br" });
    assert.equal(res.headers["content-encoding"], "br");
    assert.equal(Number(res.headers["content-length"]), res.body.length);
    assert.equal(brotliDecompressSync(res.body).toString(), "x".repeat(4000));
    assert.equal(res.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(res.headers.vary, "Accept-Encoding");
  });

  test("text without a sibling is compressed as it is sent; a refused encoding is not used", async () => {
    const gz = await raw("/big.html", { "accept-encoding": "gzip" });
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.equal(gz.headers["content-length"], undefined);
    assert.equal(gunzipSync(gz.body).toString(), text);
    const none = await raw("/big.html", { "accept-encoding": "br;q=0, gzip;q=0" });
    assert.equal(none.headers["content-encoding"], undefined);
    assert.equal(none.body.toString(), text);
    const small = await raw("/page.html", { "accept-encoding": "gzip" });
    assert.equal(small.headers["content-encoding"], undefined);
  });

  test("hashed assets are cached for good, pages revalidated: 304 for a current copy", async () => {
    const asset = await raw("/assets/app.3f2a.js", {});
    assert.equal(asset.headers["cache-control"], "public, max-age=31536000, immutable");
    const page = await raw("/big.html", {});
    assert.equal(page.headers["cache-control"], "no-cache");
    assert.ok(page.headers.etag);
    const again = await raw("/big.html", { "if-none-match": page.headers.etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const missing = await raw("/nothing.html", {});
    assert.equal(missing.headers["cache-control"], "no-store");
  });
});
