import { defineConfig } from "vitest/config";

// Real model files take seconds to read and run; under turbo the packages' suites share the cores.
export default defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 120_000 } });
