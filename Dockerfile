# One image for every process of the system (infra/compose/compose.yaml picks the process by
# its command). The services run their TypeScript through tsx, as `npm start` does: no build
# step, so the image holds the sources and the dependencies the lockfile names.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app

# The manifests first: the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/domain/package.json packages/domain/
COPY packages/event-store/package.json packages/event-store/
COPY packages/messaging/package.json packages/messaging/
COPY packages/processing/package.json packages/processing/
COPY packages/service-kit/package.json packages/service-kit/
COPY services/audit/package.json services/audit/
COPY services/cli/package.json services/cli/
COPY services/drafting/package.json services/drafting/
COPY services/platform/package.json services/platform/
COPY services/publishing/package.json services/publishing/
COPY services/relay/package.json services/relay/
COPY services/review/package.json services/review/
COPY services/syndication/package.json services/syndication/
# tsx runs the sources, so the development dependencies stay (no browser is downloaded).
RUN npm ci --include=dev && npm cache clean --force

COPY tsconfig.json ./
COPY packages packages
COPY services services
COPY infra/kafka/create-topics.ts infra/kafka/
COPY tests/fixtures tests/fixtures

RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# npm start's process by default: every service on PGlite in /data. NODE_ENV=production
# refuses the development secret: run it with JWT_SECRET (32+ characters) or JWKS_URL set.
CMD ["node", "--import", "tsx", "services/platform/src/main.ts"]
