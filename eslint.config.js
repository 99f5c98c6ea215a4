// Lint rules. The dependency rule of the architecture lives here: src/core/ must not
// import grammY, Prisma, HTTP, the chart renderer or anything that reaches outside the process.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const outside = [
  { group: ["grammy", "grammy/*", "@grammyjs/*"], message: "src/core must not know grammY: adapters translate." },
  { group: ["@prisma/*", "prisma", "prisma/*", "*/generated/*", "pg", "@electric-sql/*", "pglite-prisma-adapter"], message: "src/core must not know the database driver: use the Store port." },
  { group: ["node:http", "node:https", "http", "https", "node:net", "undici"], message: "src/core must not speak HTTP: adapters do." },
  { group: ["echarts", "echarts/*", "zrender", "zrender/*", "@resvg/*"], message: "src/core decides what a chart shows (src/core/charts.ts); src/infra/charts.ts draws it." },
  { group: ["*/infra/*", "*/adapters/*", "../infra/*", "../adapters/*", "*/config.js", "../config.js"], message: "src/core depends on nothing outside src/core." },
];

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "src/generated/", "data/", "test-artifacts/", "coverage/", "src/adapters/sandbox/public/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "error",
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: outside }],
      "no-restricted-globals": ["error", { name: "process", message: "src/core does not read the environment." }, { name: "fetch", message: "src/core does not speak HTTP." }],
    },
  },
  {
    files: ["src/cli/**/*.ts", "bench/**/*.ts", "test/**/*.ts", "scripts/**/*.ts"],
    rules: { "no-console": "off" },
  },
);
