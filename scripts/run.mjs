// `npm run <task> [-- args]`: gets pnpm the way `npm start` does (so turbo finds it), installs
// the dependencies if they are missing or changed, then runs the task of scripts/lib/tasks.mjs.
// Its own messages go to stderr, so that `npm run -s bench -- --json` prints only the JSON.
//   node scripts/run.mjs TASK [ARGS...]
import "./lib/node-version.mjs";

const { exitWith, say } = await import("./lib/util.mjs");
const setup = await import("./lib/setup.mjs");
const { TASKS } = await import("./lib/tasks.mjs");

async function main() {
  const [name, ...args] = process.argv.slice(2);
  const task = TASKS[name];
  if (task === undefined) {
    const list = Object.entries(TASKS).map(([key, t]) => `  ${key.padEnd(12)} ${t.about}`);
    console.error(`usage: node scripts/run.mjs TASK [ARGS...]; the tasks:\n${list.join("\n")}`);
    process.exit(2);
  }
  const log = console.log;
  console.log = console.error;
  const { env, version, source } = setup.ensurePnpm();
  if (source !== "PATH") say(`pnpm ${version} from npm: ${source}`);
  await setup.ensureInstall(env, { quiet: true });
  console.log = log;
  await task.run(env, args);
}

main().catch(exitWith);
