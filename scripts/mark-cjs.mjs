// Marks a folder of CommonJS output as such, so Node reads it as CommonJS inside a "type": "module" package.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("mark-cjs: expected a folder as the first argument");
writeFileSync(join(dir, "package.json"), '{ "type": "commonjs" }\n');
