// Imported first by each entry script, which loads everything else with `await import` after it:
// on a Node too old for the rest, it stops with a message before any of the rest is read.
// The same minimum as setup.mjs's MIN_NODE_MAJOR (this file imports nothing, so that it runs first).
const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  console.error(`Node ${process.versions.node} is too old: quantlab needs Node >= 20.`);
  process.exit(1);
}
