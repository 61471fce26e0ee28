# hds-setup as a container image: the setup wizard on http://127.0.0.1:8080 of the admin's machine.
#   docker build -t hds-setup .     (or: podman build --format docker -t hds-setup .)
#   docker run --rm -it -p 127.0.0.1:8080:8080 hds-setup
# More (rootless podman, proxies, stopping, where the ISO goes): docs/container.md.
#
# NODE_IMAGE lets a site build from its own registry mirror of the same image.
ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim

# ---- build: every dependency, then the server (tsc → dist/) and the web app (Vite → dist/web)
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# A build without a registry (air-gapped sites, the project's own container test) passes
# --build-arg NPM_CONFIG_OFFLINE=true and mounts a filled npm cache at /root/.npm.
ARG NPM_CONFIG_OFFLINE=false
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# ---- production dependencies only, without the files Node never loads (types, maps, docs)
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
ARG NPM_CONFIG_OFFLINE=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -type f \( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' \
      -o -name '*.md' -o -name '*.markdown' \) -delete

# ---- runtime: Node 20 on Debian bookworm slim, no compiler, no dev dependencies, no sources
FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/package.json ./
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
# Files stay root-owned: the unprivileged user can read the tool but not change it. The wizard
# writes nothing but temp files, so `--read-only --tmpfs /tmp` works.
USER node
EXPOSE 8080
# Ctrl+C in `docker run -it` and `docker stop` both end it the same clean way (secrets wiped).
STOPSIGNAL SIGINT
# /healthz answers without the sign-in token; Node's fetch, since the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/hds-setup.js"]
CMD ["serve"]
