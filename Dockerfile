# One image for every hookguard command (sidecar, injector, tokens, check, inject).
# Build: docker build -t ghcr.io/OWNER/hookguard:VERSION .

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Non-root, and nothing is written at run time: the image works with readOnlyRootFilesystem.
USER 65532:65532
EXPOSE 8080 9102
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["sidecar", "--config", "/etc/hookguard/config/hookguard.yaml"]
