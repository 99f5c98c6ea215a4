/**
 * Once before the whole suite: bundle the bot as `npm start` does (scripts/build.mjs), so
 * that the tests that run it as a process run what users run.
 */
import { execFileSync } from "node:child_process";
import { ROOT } from "./process.js";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
}
