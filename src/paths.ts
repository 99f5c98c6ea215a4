/**
 * Where the project's files are (locales, migrations, fonts, catalogue, the sandbox page),
 * found from this module whether it runs as TypeScript from `src/` (tsx, the tests) or
 * bundled into `dist/` (`npm start`): the nearest folder above with the project's
 * package.json.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "thidua-bot") return dir;
    if (path.dirname(dir) === dir) throw new Error(`thidua-bot's package.json not found above ${from}`);
  }
}

export const ROOT = projectRoot(path.dirname(fileURLToPath(import.meta.url)));
/** A path inside the project, e.g. `fromRoot("locales")`. */
export const fromRoot = (...parts: string[]): string => path.join(ROOT, ...parts);
