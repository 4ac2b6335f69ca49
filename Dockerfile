# syntax=docker/dockerfile:1
# One image per service: `docker build --target facilitator -t wg402-facilitator .`
# Services run their TypeScript sources directly on Node 22 (type stripping); only the contracts need a build,
# which generates the ABIs that shared/ exports.

FROM node:22-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build

FROM node:22-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY contracts/package.json contracts/
COPY facilitator/package.json facilitator/
COPY agent/package.json agent/
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:22-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN mkdir -p /data && chown node:node /data
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/shared shared

FROM runtime AS agent
# wireguard-go for hosts without the kernel module; wireguard-tools for `wg`; iproute2 for the interface.
RUN apt-get update && apt-get install -y --no-install-recommends wireguard-tools wireguard-go iproute2 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/agent agent
USER node
ENV AGENT_HOST=0.0.0.0 \
    AGENT_PORT=4021 \
    AGENT_DB_PATH=/data/agent.sqlite
VOLUME /data
EXPOSE 4021 51820/udp
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:4021/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--disable-warning=ExperimentalWarning", "agent/src/main.ts"]

FROM runtime AS facilitator
COPY --from=build /app/facilitator facilitator
USER node
ENV FACILITATOR_HOST=0.0.0.0 \
    FACILITATOR_PORT=4020 \
    FACILITATOR_DB_PATH=/data/facilitator.sqlite
VOLUME /data
EXPOSE 4020
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:4020/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--disable-warning=ExperimentalWarning", "facilitator/src/main.ts"]
