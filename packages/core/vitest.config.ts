import { defineConfig } from "vitest/config";

// Property suites over millions of values take seconds alone; under turbo the packages share the cores.
export default defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 60_000 } });
