// Prisma CLI configuration for development on machines without Prisma's CDN.
// The CLI migrates through the WebAssembly schema engine shipped inside the `prisma`
// package, against an in-memory PGlite database. See prisma/README.md.
import path from "node:path";
import { defineConfig } from "prisma/config";

// Point the CLI at a file that always exists so it does not try to download native
// engines; neither file is executed with engine "js".
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("package.json");
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= path.resolve("package.json");

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const { PGlite } = await import("@electric-sql/pglite");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    return new PrismaPGlite(new PGlite(process.env.PRISMA_DEV_PGLITE_DIR));
  },
});
