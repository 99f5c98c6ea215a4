# thidua-bot: multi-stage build, runs as the unprivileged "node" user, data in a volume.
#   docker build -t thidua-bot .
#   docker run -e TELEGRAM_BOT_TOKEN=… -v thidua-data:/data thidua-bot
# With no platform token the web sandbox starts; publish it only on your own machine:
#   docker run -p 127.0.0.1:3000:3000 -e SANDBOX_ALLOW_REMOTE=yes thidua-bot

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Install with the lockfile; the postinstall step generates the Prisma client into src/generated.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/pglite-template.mjs scripts/build.mjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json eslint.config.js ./
COPY src ./src
COPY locales ./locales
# The chart font (Noto Sans, OFL): pictures are drawn with it, never with the system's fonts.
COPY assets ./assets
# Type-check the image's sources, bundle what `npm start` runs (dist/main.mjs), then keep
# only what runs.
RUN npx tsc --noEmit -p . && node scripts/build.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The CLI (npm run cli) runs the sources with tsx; the catalogue and the sandbox page are read from src/.
COPY --from=build --chown=node:node /app/src ./src
COPY --from=build --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/locales ./locales
COPY --from=build --chown=node:node /app/assets ./assets
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations are applied by the app at start (once, even with several instances).
CMD ["node", "dist/main.mjs"]
