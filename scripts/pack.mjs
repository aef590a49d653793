// `npm run pack`: builds the publishable packages (every workspace package that is not private)
// and packs each into build/packages/ as `npm publish` would upload it, with the checks of
// scripts/lib/packages.mjs; prints each tarball's size, unpacked size and file count.
//   node scripts/pack.mjs
import "./lib/node-version.mjs";

const { exitWith, rel, say } = await import("./lib/util.mjs");
const setup = await import("./lib/setup.mjs");
const { TASKS } = await import("./lib/tasks.mjs");
const { PACKAGES_DIR, packAll, publicPackages, sizeTable } = await import("./lib/packages.mjs");

async function main() {
  const { env } = setup.ensurePnpm();
  await setup.ensureInstall(env, { quiet: true });
  const filters = publicPackages().map(({ manifest }) => `--filter=${manifest.name}`);
  await TASKS.build.run(env, filters);
  const entries = await packAll(env);
  console.log(`${entries.length} tarballs in ${rel(PACKAGES_DIR)} (npm pack: packed, unpacked):`);
  for (const line of sizeTable(entries)) say(line);
}

main().catch(exitWith);
