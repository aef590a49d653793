// The publishing checks (scripts/lib/packages.mjs): every publishable package's manifest passes
// them, and each kind of mistake they exist for is caught (types not first, a missing field, a
// test file, a source map or a sourceMappingURL comment, a workspace: range, a stray file).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { contentProblems, manifestProblems, publicPackages } from "../lib/packages.mjs";
import { ROOT } from "../lib/util.mjs";

const rootLicense = readFileSync(join(ROOT, "LICENSE"), "utf8");

describe("publicPackages", () => {
  test("lists core, plot, models and cli, each after what it depends on, and no private one", () => {
    const names = publicPackages().map(({ manifest }) => manifest.name);
    for (const name of ["@quantlab/core", "@quantlab/plot", "@quantlab/models", "@quantlab/cli"]) {
      assert.ok(names.includes(name), `${name} in ${names}`);
    }
    for (const name of ["@quantlab/zoo", "@quantlab/conformance", "@quantlab/bench"]) {
      assert.ok(!names.includes(name), `${name} is private`);
    }
    assert.ok(names.indexOf("@quantlab/core") < names.indexOf("@quantlab/models"));
    assert.ok(names.indexOf("@quantlab/models") < names.indexOf("@quantlab/cli"));
  });

  test("every one's manifest passes the checks", () => {
    for (const { dir, manifest } of publicPackages()) {
      assert.deepEqual(manifestProblems(dir, manifest, { rootLicense }), []);
    }
  });
});

describe("manifestProblems", () => {
  const core = publicPackages().find(({ manifest }) => manifest.name === "@quantlab/core");
  const problems = (change) => {
    const manifest = structuredClone(core.manifest);
    change(manifest);
    return manifestProblems(core.dir, manifest, { rootLicense });
  };

  test("types after import in a condition", () => {
    const found = problems((m) => {
      m.exports["."].import = { default: "./dist/index.js", types: "./dist/index.d.ts" };
    });
    assert.equal(found.length, 1);
    assert.match(found[0], /exports\["\."\]\["import"\]: "types" must come first/);
  });

  test("files without types", () => {
    const found = problems((m) => {
      m.exports["./x"] = { import: "./dist/x.js" };
    });
    assert.match(found.join("\n"), /exports\["\.\/x"\]: has files but no "types"/);
  });

  test("a version that is not semver, no engines, another repository folder, no sideEffects", () => {
    const found = problems((m) => {
      m.version = "1.0";
      delete m.engines;
      m.repository.directory = "packages/plot";
      delete m.sideEffects;
    }).join("\n");
    for (const field of ["version", "engines.node", "repository", "sideEffects"]) {
      assert.match(found, new RegExp(`: ${field.replace(".", "\\.")}: `));
    }
  });
});

describe("contentProblems", () => {
  const dir = mkdtempSync(join(tmpdir(), "quantlab-pack-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a clean folder has none; each planted mistake is named", () => {
    const manifest = { name: "@quantlab/x", version: "1.0.0", files: ["dist"] };
    mkdirSync(join(dir, "dist"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
    writeFileSync(join(dir, "README.md"), "x");
    writeFileSync(join(dir, "LICENSE"), rootLicense);
    writeFileSync(join(dir, "dist", "index.js"), "export const x = 1;\n");
    assert.deepEqual(contentProblems(dir, manifest), []);

    writeFileSync(
      join(dir, "dist", "index.js"),
      "export const x = 1;\n//# sourceMappingURL=index.js.map\n",
    );
    writeFileSync(join(dir, "dist", "index.js.map"), "{}");
    mkdirSync(join(dir, "dist", "test"));
    writeFileSync(join(dir, "dist", "test", "a.js"), "");
    writeFileSync(join(dir, "dist", "b.test.js"), "");
    writeFileSync(join(dir, "notes.txt"), "");
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ ...manifest, dependencies: { "@quantlab/core": "workspace:*" } }),
    );
    const found = contentProblems(dir, manifest).join("\n");
    assert.match(found, /dist\/index\.js still names a source map/);
    assert.match(found, /dist\/index\.js\.map is a source map/);
    assert.match(found, /dist\/test\/a\.js is a test folder/);
    assert.match(found, /dist\/b\.test\.js is a test file/);
    assert.match(found, /notes\.txt is not in "files"/);
    assert.match(found, /workspace: range/);
  });
});
