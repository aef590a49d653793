// The site build's swap (scripts/lib/site.mjs, replaceWhenBuilt): a build that fails part way
// leaves the last site as it was, one that succeeds replaces it, and neither leaves a folder behind.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { replaceWhenBuilt } from "../lib/site.mjs";

let dir;
let site;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "quantlab-site-"));
  site = join(dir, "site");
  mkdirSync(join(site, "lessons"), { recursive: true });
  writeFileSync(join(site, "index.html"), "the last site");
  writeFileSync(join(site, "lessons", "01.html"), "lesson 1");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("a build that fails part way leaves the last site as it was, and no stage", async () => {
  const failure = new Error("a dead link on lessons/02.html");
  await assert.rejects(
    replaceWhenBuilt(site, async (stage) => {
      writeFileSync(join(stage, "index.html"), "half a new site");
      throw failure;
    }),
    failure,
  );
  assert.equal(readFileSync(join(site, "index.html"), "utf8"), "the last site");
  assert.equal(readFileSync(join(site, "lessons", "01.html"), "utf8"), "lesson 1");
  assert.deepEqual(readdirSync(dir), ["site"]);
});

test("a build that succeeds replaces the site with what it wrote, and leaves nothing beside it", async () => {
  const result = await replaceWhenBuilt(site, async (stage) => {
    writeFileSync(join(stage, "index.html"), "the new site");
    return 42;
  });
  assert.equal(result, 42);
  assert.equal(readFileSync(join(site, "index.html"), "utf8"), "the new site");
  assert.equal(existsSync(join(site, "lessons")), false);
  assert.deepEqual(readdirSync(dir), ["site"]);
});

test("the first build makes the site's folder", async () => {
  const fresh = join(dir, "build", "site");
  await replaceWhenBuilt(fresh, async (stage) => writeFileSync(join(stage, "index.html"), "first"));
  assert.equal(readFileSync(join(fresh, "index.html"), "utf8"), "first");
  assert.deepEqual(readdirSync(join(dir, "build")), ["site"]);
});

test("what an interrupted run left beside the site is removed", async () => {
  mkdirSync(join(dir, "site.old-123", "site"), { recursive: true });
  mkdirSync(join(dir, "site.staging-abc"));
  mkdirSync(join(dir, "site-other"));
  await replaceWhenBuilt(site, async (stage) => writeFileSync(join(stage, "index.html"), "new"));
  assert.deepEqual(readdirSync(dir).sort(), ["site", "site-other"]);
});
