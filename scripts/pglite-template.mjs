// Writes an empty PostgreSQL cluster made by PGlite's own initdb, as a tarball, for the first
// start of a new DATA_DIR (src/infra/db/open.ts). Run at install (postinstall): initdb runs
// a second WebAssembly instance beside the database and takes the process to about 850 MB;
// loading this tarball instead keeps a first start near 400 MB. The file is named after the
// installed PGlite version, so an upgrade makes (and uses) a new one.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { Buffer } from "node:buffer";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const version = JSON.parse(await readFile(path.join(root, "node_modules/@electric-sql/pglite/package.json"), "utf8")).version;
const dir = path.join(root, "assets", "generated");
const file = path.join(dir, `pglite-${version}-empty.tar.gz`);
try {
  await readFile(file);
  process.exit(0); // already made for this version
} catch {
  // make it
}
const db = new PGlite();
await db.waitReady;
const blob = await db.dumpDataDir("gzip");
await db.close();
await mkdir(dir, { recursive: true });
await writeFile(`${file}.tmp`, Buffer.from(await blob.arrayBuffer()));
await rename(`${file}.tmp`, file);
process.stdout.write(`pglite template: ${path.relative(root, file)}\n`);
