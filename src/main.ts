/**
 * Entry point of `npm start`: read the configuration, start the app, stop it cleanly on
 * SIGINT/SIGTERM. A configuration error is one line and exit code 2.
 */
import { createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { DataDirBusyError, DataDirUnusableError } from "./infra/db/open.js";
import { MigrationError } from "./infra/db/migrate.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  let app;
  try {
    app = await createApp(config);
  } catch (e) {
    if (e instanceof DataDirBusyError || e instanceof DataDirUnusableError || e instanceof MigrationError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(3);
    }
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") {
      process.stderr.write(`port ${config.http.port} on ${config.http.host} is already in use (set PORT)\n`);
      process.exit(3);
    }
    const code = (e as NodeJS.ErrnoException).code;
    if ((e as { syscall?: string }).syscall === "getaddrinfo" || code === "EADDRNOTAVAIL") {
      process.stderr.write(`HOST ${config.http.host} cannot be listened on (${code}): not an address of this machine (set HOST)\n`);
      process.exit(3);
    }
    if (code === "EACCES") {
      process.stderr.write(`port ${config.http.port} on ${config.http.host} needs privileges this process lacks (set PORT above 1023)\n`);
      process.exit(3);
    }
    throw e;
  }
  process.stdout.write(`thidua-bot ready: ${app.url}\n`);
  if (app.sandbox) process.stdout.write(`thidua-bot sandbox: ${app.url}\n`);
  const shutdown = (signal: string) => {
    app.log.info("stopping", { signal });
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((e: unknown) => {
  process.stderr.write(`fatal: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
