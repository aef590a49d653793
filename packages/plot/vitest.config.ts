import { defineConfig } from "vitest/config";

// Browser and kernel tests share two cores with the rest of `npm test`.
export default defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 60_000 } });
