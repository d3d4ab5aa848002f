#!/usr/bin/env bash
# make-sample-repo.sh DIR
#
# Builds a small, fully deterministic sample monorepo in DIR for trying out
# wharf (see examples/README.md for the story and the expected plans).
#
# Every commit has a fixed author/committer and date, and all user/system git
# configuration is ignored, so the commit SHAs are identical on every machine
# (same git object format; tested with git 2.39).
#
# Besides the repo it writes DIR/live/dev.json and DIR/live/prod.json (which
# service is live at which SHA in each environment). live/ is listed in the
# repo's .gitignore, so those files are never committed and never show up in
# a diff.

# Every commit is kept in a variable C1..C13, named after the story, even if unused.
# shellcheck disable=SC2034
set -euo pipefail

usage() { echo "usage: $0 DIR" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
DIR=$1

if [[ -e $DIR && ! -d $DIR ]]; then
  echo "error: $DIR exists and is not a directory" >&2; exit 1
fi
if [[ -d $DIR ]] && [[ -n $(ls -A -- "$DIR") ]]; then
  echo "error: $DIR exists and is not empty; refusing to touch it" >&2; exit 1
fi
mkdir -p -- "$DIR"
DIR=$(cd -- "$DIR" && pwd)

# --- determinism -------------------------------------------------------------
# Ignore anything inherited from a surrounding git process or user config.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
      GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_CONFIG GIT_CONFIG_PARAMETERS \
      GIT_CONFIG_COUNT GIT_NAMESPACE GIT_CEILING_DIRECTORIES 2>/dev/null || true
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Wharf Example" GIT_AUTHOR_EMAIL="example@wharf.invalid"
export GIT_COMMITTER_NAME="Wharf Example" GIT_COMMITTER_EMAIL="example@wharf.invalid"
export LC_ALL=C TZ=UTC
umask 022

cd -- "$DIR"
git -c init.defaultBranch=main init -q --template= .
# Repo-local settings only (no hooks, no signing, no line-ending rewriting).
git config core.autocrlf false
git config commit.gpgsign false
git config tag.gpgsign false

# put PATH  -- write stdin to PATH, creating parent directories
put() { mkdir -p -- "$(dirname -- "$1")"; cat > "$1"; }

# commit DATE SUBJECT [BODY]  -- stage everything and commit at a fixed date
commit() {
  local date=$1 subject=$2 body=${3:-}
  git add -A
  if [[ -n $body ]]; then
    GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git commit -q -m "$subject" -m "$body"
  else
    GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git commit -q -m "$subject"
  fi
  git rev-parse HEAD
}

# --- generated files that change over the history -------------------------------

# wharf.toml; "with-legacy" also emits the legacy-reports service (retired in C5)
write_wharf_toml() {
  put wharf.toml <<'EOF'
# wharf.toml -- which files make up each deployable service.
#
# wharf answers "which services must be redeployed?": a service is DEPLOYed
# when any file of its *input set* changed between the SHA live in the
# environment and HEAD. A service's input set is
#     its own `paths`
#   + the `paths` of every package it depends on (transitively through `deps`)
#   + the workspace `inputs`
#   - anything matched by its own `exclude` or by the workspace `exclude`.
#
# A path entry is a file, a directory (= everything below it), or a glob:
# `*` and `?` match inside one path segment, `**` matches across segments
# (`a/**/b` also matches `a/b`), and a glob that matches a directory covers
# everything below it.

[workspace]
# Build inputs shared by every image: a change here redeploys every service.
inputs = [
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  "package.json",
  "infra/docker/service.Dockerfile",
]
# Never an input, whatever the paths below say: docs do not ship.
exclude = ["**/*.md"]

# ---------------------------------------------------------------------------
# Shared packages (not deployed themselves; they fan out to their dependents)
# ---------------------------------------------------------------------------

[package.tsconfig]
paths = ["packages/tsconfig"]

[package.common]
paths = ["packages/common"]
# Unit tests of the shared package are not shipped in any image.
exclude = ["packages/common/**/*.test.ts"]

[package.auth-client]
paths = ["packages/auth-client"]
deps = ["common"]                  # so a common change reaches its users too

[package.events]
paths = ["packages/events"]

# ---------------------------------------------------------------------------
# Services (the things wharf plans deploys for)
# ---------------------------------------------------------------------------

[service.clinical-api]
# The .npmrc is copied into this image only (private registry scope).
paths = ["services/clinical-api", "infra/docker/.npmrc"]
deps = ["auth-client", "events"]   # transitive: common too
exclude = ["services/clinical-api/**/*.test.ts"]   # tests never ship
env = ["NODE_ENV", "DATABASE_URL"]
build = "docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=clinical-api ."

[service.auth]
paths = ["services/auth", "infra/docker/.npmrc"]
deps = ["common"]
env = ["NODE_ENV", "JWT_ISSUER"]
build = "docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=auth ."

[service.scheduler]
paths = ["services/scheduler"]
deps = ["events", "tsconfig"]      # note: no dependency on common
env = ["NODE_ENV"]
build = "docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=scheduler ."

[service.notifications]
paths = ["services/notifications"]
deps = ["events", "auth-client"]   # transitive: common too
env = ["NODE_ENV", "SMTP_URL"]
build = "docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=notifications ."

[service.billing-worker]
paths = ["services/billing-worker"]
deps = ["common"]
env = ["NODE_ENV", "DATABASE_URL"]
build = "docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=billing-worker ."

[service.admin-ui]
# A Vite SPA. Only what ends up in the bundle counts, shown with globs: the
# sources under src/, the HTML entry point and the build configuration.
# Tooling next to it (e.g. apps/admin-ui/.storybook/) is not an input.
paths = [
  "apps/admin-ui/src/**/*.tsx",
  "apps/admin-ui/src/**/*.ts",
  "apps/admin-ui/src/**/*.css",
  "apps/admin-ui/index.html",
  "apps/admin-ui/package.json",
  "apps/admin-ui/vite.config.ts",
]
deps = ["tsconfig"]
exclude = ["apps/admin-ui/src/**/*.test.tsx"]
env = ["VITE_API_BASE_URL"]
build = "pnpm --filter @acme/admin-ui build"
EOF
  if [[ ${1:-} == with-legacy ]]; then
    put wharf.toml.tail <<'EOF'

[service.legacy-reports]
# Nightly CSV exports; being replaced by the reporting warehouse.
paths = ["services/legacy-reports"]
deps = ["common"]
env = ["NODE_ENV"]
build = "docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=legacy-reports ."
EOF
    cat wharf.toml.tail >> wharf.toml
    rm wharf.toml.tail
  fi
}

# pnpm-lock.yaml, parameterised by the resolved fastify version (bumped in C4)
write_lockfile() {
  local fastify=$1
  put pnpm-lock.yaml <<EOF
lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    devDependencies:
      typescript:
        specifier: ^5.4.0
        version: 5.4.5
      vitest:
        specifier: ^1.5.0
        version: 1.5.3

  apps/admin-ui:
    dependencies:
      react:
        specifier: ^18.2.0
        version: 18.3.1
      react-dom:
        specifier: ^18.2.0
        version: 18.3.1(react@18.3.1)
    devDependencies:
      vite:
        specifier: ^5.2.0
        version: 5.2.11

  packages/auth-client:
    dependencies:
      '@acme/common':
        specifier: workspace:*
        version: link:../common

  packages/common:
    dependencies:
      zod:
        specifier: ^3.23.0
        version: 3.23.8

  packages/events: {}

  packages/tsconfig: {}

  services/auth:
    dependencies:
      '@acme/common':
        specifier: workspace:*
        version: link:../../packages/common
      fastify:
        specifier: ^4.26.0
        version: ${fastify}

  services/billing-worker:
    dependencies:
      '@acme/common':
        specifier: workspace:*
        version: link:../../packages/common

  services/clinical-api:
    dependencies:
      '@acme/auth-client':
        specifier: workspace:*
        version: link:../../packages/auth-client
      '@acme/events':
        specifier: workspace:*
        version: link:../../packages/events
      fastify:
        specifier: ^4.26.0
        version: ${fastify}

  services/notifications:
    dependencies:
      '@acme/auth-client':
        specifier: workspace:*
        version: link:../../packages/auth-client
      '@acme/events':
        specifier: workspace:*
        version: link:../../packages/events

  services/scheduler:
    dependencies:
      '@acme/events':
        specifier: workspace:*
        version: link:../../packages/events

packages:

  /fastify@${fastify}:
    resolution: {integrity: sha512-FAKE-fastify-${fastify}}
    dev: false

  /react@18.3.1:
    resolution: {integrity: sha512-FAKE-react-18.3.1}
    dev: false

  /zod@3.23.8:
    resolution: {integrity: sha512-FAKE-zod-3.23.8}
    dev: false
EOF
}

# --- C1: initial import -----------------------------------------------------------

put .gitignore <<'EOF'
node_modules/
dist/
# Written by examples/make-sample-repo.sh: what is live per environment.
/live/
EOF

put README.md <<'EOF'
# acme-health platform

Monorepo for the clinic platform: backend services under `services/`, the
admin SPA under `apps/admin-ui`, shared code under `packages/`.

Deploys are described by `wharf.toml`; run `wharf plan` to see what must be
redeployed in an environment.
EOF

put package.json <<'EOF'
{
  "name": "acme-health",
  "private": true,
  "packageManager": "pnpm@9.1.0",
  "scripts": {
    "build": "pnpm -r build",
    "test": "vitest run"
  },
  "devDependencies": {
    "typescript": "^5.4.0",
    "vitest": "^1.5.0"
  }
}
EOF

put pnpm-workspace.yaml <<'EOF'
packages:
  - "apps/*"
  - "packages/*"
  - "services/*"
EOF

write_lockfile 4.26.1
write_wharf_toml with-legacy

put infra/docker/service.Dockerfile <<'EOF'
# One Dockerfile for every backend service: docker build --build-arg SERVICE=<name> .
FROM node:20-alpine AS deps
WORKDIR /repo
RUN corepack enable
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch

FROM deps AS build
ARG SERVICE
COPY . .
RUN pnpm install --offline --frozen-lockfile \
 && pnpm --filter "./services/${SERVICE}..." build \
 && pnpm deploy --filter "./services/${SERVICE}" --prod /out

FROM node:20-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out ./
CMD ["node", "dist/index.js"]
EOF

put infra/docker/.npmrc <<'EOF'
@acme:registry=https://npm.internal.acme.invalid/
auto-install-peers=true
EOF

# packages/tsconfig
put packages/tsconfig/package.json <<'EOF'
{ "name": "@acme/tsconfig", "version": "1.0.0", "private": true, "files": ["base.json"] }
EOF
put packages/tsconfig/base.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "strict": true,
    "declaration": true,
    "outDir": "dist"
  }
}
EOF
put packages/tsconfig/README.md <<'EOF'
# @acme/tsconfig

Shared TypeScript compiler settings. Extend `@acme/tsconfig/base.json`.
EOF

# packages/common
put packages/common/package.json <<'EOF'
{
  "name": "@acme/common",
  "version": "1.0.0",
  "private": true,
  "main": "dist/index.js",
  "dependencies": { "zod": "^3.23.0" }
}
EOF
put packages/common/README.md <<'EOF'
# @acme/common

Logging and small helpers shared by every backend service.
EOF
put packages/common/src/index.ts <<'EOF'
export { createLogger, type Logger } from "./logger";
EOF
put packages/common/src/logger.ts <<'EOF'
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(service: string): Logger {
  const emit = (level: string, msg: string, fields: Record<string, unknown> = {}) =>
    console.log(JSON.stringify({ level, service, msg, ...fields }));
  return {
    info: (msg, fields) => emit("info", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}
EOF
put packages/common/src/logger.test.ts <<'EOF'
import { expect, test } from "vitest";
import { createLogger } from "./logger";

test("createLogger returns both levels", () => {
  const log = createLogger("test");
  expect(typeof log.info).toBe("function");
  expect(typeof log.error).toBe("function");
});
EOF

# packages/auth-client
put packages/auth-client/package.json <<'EOF'
{
  "name": "@acme/auth-client",
  "version": "1.0.0",
  "private": true,
  "main": "dist/index.js",
  "dependencies": { "@acme/common": "workspace:*" }
}
EOF
put packages/auth-client/README.md <<'EOF'
# @acme/auth-client

Verifies access tokens issued by the `auth` service.
EOF
put packages/auth-client/src/index.ts <<'EOF'
import { createLogger } from "@acme/common";

const log = createLogger("auth-client");

export interface Principal { sub: string; roles: string[] }

export async function verifyToken(token: string, issuer: string): Promise<Principal | null> {
  const res = await fetch(`${issuer}/introspect`, { method: "POST", body: token });
  if (!res.ok) {
    log.info("token rejected", { status: res.status });
    return null;
  }
  return (await res.json()) as Principal;
}
EOF

# packages/events
put packages/events/package.json <<'EOF'
{ "name": "@acme/events", "version": "1.0.0", "private": true, "main": "dist/index.js" }
EOF
put packages/events/src/index.ts <<'EOF'
export * from "./topics";

export interface Envelope<T> { topic: string; id: string; at: string; payload: T }
EOF
put packages/events/src/topics.ts <<'EOF'
export const Topics = {
  AppointmentBooked: "appointment.booked",
  AppointmentReminderDue: "appointment.reminder-due",
  InvoiceIssued: "invoice.issued",
} as const;
EOF

# services/clinical-api
put services/clinical-api/package.json <<'EOF'
{
  "name": "@acme/clinical-api",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "tsc -p .", "start": "node dist/index.js" },
  "dependencies": {
    "@acme/auth-client": "workspace:*",
    "@acme/events": "workspace:*",
    "fastify": "^4.26.0"
  }
}
EOF
put services/clinical-api/README.md <<'EOF'
# clinical-api

Patients, appointments and encounters. Served under `/v1/clinical-api`.
EOF
put services/clinical-api/src/index.ts <<'EOF'
import Fastify from "fastify";
import { health } from "./routes/health";

const app = Fastify();
app.register(health, { prefix: "/v1/clinical-api" });
app.listen({ port: Number(process.env.PORT ?? 3000), host: "0.0.0.0" });
EOF
put services/clinical-api/src/routes/health.ts <<'EOF'
import type { FastifyInstance } from "fastify";

export async function health(app: FastifyInstance) {
  app.get("/health", async () => ({ status: "ok" }));
}
EOF
put services/clinical-api/src/routes/health.test.ts <<'EOF'
import { expect, test } from "vitest";
import Fastify from "fastify";
import { health } from "./health";

test("GET /health", async () => {
  const app = Fastify();
  await app.register(health);
  const res = await app.inject({ method: "GET", url: "/health" });
  expect(res.statusCode).toBe(200);
});
EOF

# services/auth
put services/auth/package.json <<'EOF'
{
  "name": "@acme/auth",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "tsc -p .", "start": "node dist/index.js" },
  "dependencies": { "@acme/common": "workspace:*", "fastify": "^4.26.0" }
}
EOF
put services/auth/README.md <<'EOF'
# auth

Issues and introspects access tokens. Served under `/v1/auth`.
EOF
put services/auth/src/index.ts <<'EOF'
import Fastify from "fastify";
import { createLogger } from "@acme/common";
import { introspect } from "./tokens";

const log = createLogger("auth");
const app = Fastify();
app.post("/v1/auth/introspect", async (req) => introspect(String(req.body)));
app.listen({ port: Number(process.env.PORT ?? 3000), host: "0.0.0.0" })
  .then(() => log.info("listening"));
EOF
put services/auth/src/tokens.ts <<'EOF'
export function introspect(token: string) {
  const [sub, roles] = token.split(":");
  return sub ? { sub, roles: (roles ?? "").split(",").filter(Boolean) } : null;
}
EOF
put services/auth/src/tokens.test.ts <<'EOF'
import { expect, test } from "vitest";
import { introspect } from "./tokens";

test("introspect parses subject and roles", () => {
  expect(introspect("u1:admin,staff")).toEqual({ sub: "u1", roles: ["admin", "staff"] });
});
EOF

# services/scheduler
put services/scheduler/package.json <<'EOF'
{
  "name": "@acme/scheduler",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "tsc -p .", "start": "node dist/index.js" },
  "dependencies": { "@acme/events": "workspace:*" }
}
EOF
put services/scheduler/src/index.ts <<'EOF'
import { jobs } from "./jobs";

for (const job of jobs) {
  setInterval(job.run, job.everyMs);
}
EOF
put services/scheduler/src/jobs.ts <<'EOF'
export interface Job { name: string; everyMs: number; run: () => void }

export const jobs: Job[] = [
  { name: "heartbeat", everyMs: 60_000, run: () => console.log("scheduler alive") },
];
EOF

# services/notifications
put services/notifications/package.json <<'EOF'
{
  "name": "@acme/notifications",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "tsc -p .", "start": "node dist/index.js" },
  "dependencies": { "@acme/auth-client": "workspace:*", "@acme/events": "workspace:*" }
}
EOF
put services/notifications/README.md <<'EOF'
# notifications

Sends patient notifications when domain events arrive.
EOF
put services/notifications/src/index.ts <<'EOF'
import { Topics, type Envelope } from "@acme/events";
import { sendEmail } from "./channels/email";

export async function handle(ev: Envelope<{ to: string; text: string }>) {
  if (ev.topic === Topics.AppointmentReminderDue) {
    await sendEmail(ev.payload.to, ev.payload.text);
  }
}
EOF
put services/notifications/src/channels/email.ts <<'EOF'
export async function sendEmail(to: string, text: string) {
  console.log(`email to ${to}: ${text}`);
}
EOF

# services/billing-worker
put services/billing-worker/package.json <<'EOF'
{
  "name": "@acme/billing-worker",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "tsc -p .", "start": "node dist/index.js" },
  "dependencies": { "@acme/common": "workspace:*" }
}
EOF
put services/billing-worker/src/index.ts <<'EOF'
import { createLogger } from "@acme/common";
import { invoiceTotal } from "./invoice";

const log = createLogger("billing-worker");
log.info("ready", { sample: invoiceTotal([{ cents: 1999, qty: 2 }]) });
EOF
put services/billing-worker/src/invoice.ts <<'EOF'
export interface Line { cents: number; qty: number }

export function invoiceTotal(lines: Line[]): number {
  return lines.reduce((sum, l) => sum + l.cents * l.qty, 0);
}
EOF
put services/billing-worker/src/invoice.test.ts <<'EOF'
import { expect, test } from "vitest";
import { invoiceTotal } from "./invoice";

test("sums lines", () => {
  expect(invoiceTotal([{ cents: 100, qty: 3 }, { cents: 50, qty: 1 }])).toBe(350);
});
EOF

# services/legacy-reports (retired in C5)
put services/legacy-reports/package.json <<'EOF'
{
  "name": "@acme/legacy-reports",
  "version": "0.9.0",
  "private": true,
  "scripts": { "build": "tsc -p .", "start": "node dist/index.js" },
  "dependencies": { "@acme/common": "workspace:*" }
}
EOF
put services/legacy-reports/src/index.ts <<'EOF'
import { createLogger } from "@acme/common";

createLogger("legacy-reports").info("exporting nightly CSVs");
EOF

# apps/admin-ui (Vite SPA)
put apps/admin-ui/package.json <<'EOF'
{
  "name": "@acme/admin-ui",
  "version": "1.0.0",
  "private": true,
  "type": "module",
  "scripts": { "dev": "vite", "build": "vite build" },
  "dependencies": { "react": "^18.2.0", "react-dom": "^18.2.0" },
  "devDependencies": { "@acme/tsconfig": "workspace:*", "vite": "^5.2.0" }
}
EOF
put apps/admin-ui/README.md <<'EOF'
# admin-ui

Back-office SPA. `pnpm dev` to run locally; built to `dist/` and uploaded to S3.
EOF
put apps/admin-ui/index.html <<'EOF'
<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>Acme Admin</title>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/src/main.tsx"></script>
  </body>
</html>
EOF
put apps/admin-ui/vite.config.ts <<'EOF'
import { defineConfig } from "vite";

export default defineConfig({ build: { outDir: "dist" } });
EOF
put apps/admin-ui/tsconfig.json <<'EOF'
{ "extends": "@acme/tsconfig/base.json", "compilerOptions": { "jsx": "react-jsx" }, "include": ["src"] }
EOF
put apps/admin-ui/src/main.tsx <<'EOF'
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./styles.css";

createRoot(document.getElementById("root")!).render(<App />);
EOF
put apps/admin-ui/src/App.tsx <<'EOF'
export function App() {
  return <h1>Acme Admin</h1>;
}
EOF
put apps/admin-ui/src/api.ts <<'EOF'
export const apiBase = import.meta.env.VITE_API_BASE_URL ?? "/v1";
EOF
put apps/admin-ui/src/styles.css <<'EOF'
body { font-family: system-ui, sans-serif; margin: 0; }
EOF

C1=$(commit "2024-05-06T09:00:00+00:00" "Initial import of the acme-health monorepo")
git tag deploy/dev-1 "$C1"
git tag deploy/prod-1 "$C1"

# --- C2: a change in one service --------------------------------------------------
put services/clinical-api/src/routes/patients.ts <<'EOF'
import type { FastifyInstance } from "fastify";

const patients = [{ id: "p1", name: "Ada Lovelace" }];

export async function patientsRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { q?: string } }>("/patients", async (req) => {
    const q = (req.query.q ?? "").toLowerCase();
    return patients.filter((p) => p.name.toLowerCase().includes(q));
  });
}
EOF
put services/clinical-api/src/index.ts <<'EOF'
import Fastify from "fastify";
import { health } from "./routes/health";
import { patientsRoutes } from "./routes/patients";

const app = Fastify();
app.register(health, { prefix: "/v1/clinical-api" });
app.register(patientsRoutes, { prefix: "/v1/clinical-api" });
app.listen({ port: Number(process.env.PORT ?? 3000), host: "0.0.0.0" });
EOF
C2=$(commit "2024-05-07T09:00:00+00:00" "clinical-api: add patient search endpoint")

# --- C3: a change to a shared package (fans out to its dependents) ------------------
put packages/common/src/retry.ts <<'EOF'
export async function retry<T>(fn: () => Promise<T>, attempts = 3, delayMs = 200): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, delayMs * 2 ** i));
    }
  }
  throw last;
}
EOF
put packages/common/src/index.ts <<'EOF'
export { createLogger, type Logger } from "./logger";
export { retry } from "./retry";
EOF
C3=$(commit "2024-05-08T09:00:00+00:00" "common: add retry helper with exponential backoff")

# --- C4: lockfile bump (fans out to every service) --------------------------------
write_lockfile 4.26.2
C4=$(commit "2024-05-09T09:00:00+00:00" "chore(deps): pnpm update fastify 4.26.1 -> 4.26.2" \
  "Security fix; lockfile only, specifiers unchanged.")
git tag deploy/dev-2 "$C4"
git tag deploy/prod-2 "$C4"

# --- C5: retire legacy-reports (it stays live somewhere = an orphan) --------------
git rm -q -r services/legacy-reports
write_wharf_toml
C5=$(commit "2024-05-10T09:00:00+00:00" "Retire legacy-reports (replaced by the reporting warehouse)")

# --- C6: scheduler change ------------------------------------------------------------
put services/scheduler/src/jobs.ts <<'EOF'
import { Topics } from "@acme/events";

export interface Job { name: string; everyMs: number; run: () => void }

export const jobs: Job[] = [
  { name: "heartbeat", everyMs: 60_000, run: () => console.log("scheduler alive") },
  {
    name: "appointment-reminders",
    everyMs: 15 * 60_000,
    run: () => console.log(`publish ${Topics.AppointmentReminderDue} for tomorrow's appointments`),
  },
];
EOF
C6=$(commit "2024-05-13T09:00:00+00:00" "scheduler: publish appointment reminders every 15 minutes")

# --- C7: docs only (*.md everywhere: deploys nothing) ------------------------------
put README.md <<'EOF'
# acme-health platform

Monorepo for the clinic platform: backend services under `services/`, the
admin SPA under `apps/admin-ui`, shared code under `packages/`.

Deploys are described by `wharf.toml`; run `wharf plan` to see what must be
redeployed in an environment. See `docs/deploying.md`.
EOF
put docs/deploying.md <<'EOF'
# Deploying

1. `wharf plan --live live/<env>.json` lists DEPLOY/skip per service.
2. Build and roll only the DEPLOY ones.
3. Record the new SHAs in the environment's live file.
EOF
put services/auth/README.md <<'EOF'
# auth

Issues and introspects access tokens. Served under `/v1/auth`.

## Token format

`<subject>:<role>,<role>` in development; signed JWTs in every real environment.
EOF
put packages/common/README.md <<'EOF'
# @acme/common

Logging and small helpers shared by every backend service.

- `createLogger(service)` -- JSON lines on stdout
- `retry(fn, attempts, delayMs)` -- exponential backoff
EOF
C7=$(commit "2024-05-14T09:00:00+00:00" "docs: deploying guide, token format, common helpers")

# --- C8: test-only change in clinical-api (excluded by that service) ----------------
put services/clinical-api/src/routes/patients.test.ts <<'EOF'
import { expect, test } from "vitest";
import Fastify from "fastify";
import { patientsRoutes } from "./patients";

test("GET /patients?q= filters by name", async () => {
  const app = Fastify();
  await app.register(patientsRoutes);
  const res = await app.inject({ method: "GET", url: "/patients?q=ada" });
  expect(res.json()).toHaveLength(1);
});
EOF
put services/clinical-api/src/routes/health.test.ts <<'EOF'
import { expect, test } from "vitest";
import Fastify from "fastify";
import { health } from "./health";

test("GET /health returns ok", async () => {
  const app = Fastify();
  await app.register(health);
  const res = await app.inject({ method: "GET", url: "/health" });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ status: "ok" });
});
EOF
C8=$(commit "2024-05-15T09:00:00+00:00" "clinical-api: tests for patient search and health")

# --- C9: admin-ui feature (matched by the *.tsx glob) ------------------------------
put apps/admin-ui/src/pages/Dashboard.tsx <<'EOF'
import { apiBase } from "../api";

export function Dashboard() {
  return (
    <section>
      <h2>Today</h2>
      <p>Data from {apiBase}</p>
    </section>
  );
}
EOF
put apps/admin-ui/src/App.tsx <<'EOF'
import { Dashboard } from "./pages/Dashboard";

export function App() {
  return (
    <main>
      <h1>Acme Admin</h1>
      <Dashboard />
    </main>
  );
}
EOF
C9=$(commit "2024-05-16T09:00:00+00:00" "admin-ui: add dashboard page")
git tag deploy/dev-3 "$C9"

# --- C10: billing-worker change ... --------------------------------------------------
put services/billing-worker/src/invoice.ts <<'EOF'
export interface Line { cents: number; qty: number }

// Round every line to whole units before summing.
export function invoiceTotal(lines: Line[]): number {
  return lines.reduce((sum, l) => sum + Math.round(l.cents / 100) * 100 * l.qty, 0);
}
EOF
C10=$(commit "2024-05-17T09:00:00+00:00" "billing-worker: round invoice lines to whole units")

# --- C11: ... reverted ---------------------------------------------------------------
GIT_AUTHOR_DATE="2024-05-17T15:00:00+00:00" GIT_COMMITTER_DATE="2024-05-17T15:00:00+00:00" \
  git revert --no-edit "$C10" >/dev/null
C11=$(git rev-parse HEAD)

# --- C12: admin-ui tooling outside the service's globs (not an input) -------------
put apps/admin-ui/.storybook/main.ts <<'EOF'
export default {
  stories: ["../src/**/*.stories.tsx"],
  framework: { name: "@storybook/react-vite", options: {} },
};
EOF
put apps/admin-ui/.storybook/preview.ts <<'EOF'
import "../src/styles.css";

export default { parameters: { layout: "centered" } };
EOF
C12=$(commit "2024-05-20T09:00:00+00:00" "admin-ui: storybook configuration (dev tooling only)")

# --- C13: notifications change -------------------------------------------------------
put services/notifications/src/channels/sms.ts <<'EOF'
export async function sendSms(to: string, text: string) {
  console.log(`sms to ${to}: ${text.slice(0, 160)}`);
}
EOF
put services/notifications/src/index.ts <<'EOF'
import { Topics, type Envelope } from "@acme/events";
import { sendEmail } from "./channels/email";
import { sendSms } from "./channels/sms";

export async function handle(ev: Envelope<{ to: string; text: string; channel?: "email" | "sms" }>) {
  if (ev.topic === Topics.AppointmentReminderDue) {
    const send = ev.payload.channel === "sms" ? sendSms : sendEmail;
    await send(ev.payload.to, ev.payload.text);
  }
}
EOF
C13=$(commit "2024-05-21T09:00:00+00:00" "notifications: add SMS channel for reminders")

# --- live state per environment (gitignored: /live/) ------------------------------
short() { printf '%s' "${1:0:7}"; }
mkdir -p live
# dev: redeployed often, partly by hand; scheduler was forgotten after C6.
cat > live/dev.json <<EOF
{
  "admin-ui": "$C9",
  "auth": "$(short "$C6")",
  "billing-worker": "$C9",
  "clinical-api": "$(short "$C7")",
  "legacy-reports": "$C1",
  "notifications": "$(short "$C9")",
  "scheduler": "$C4"
}
EOF
# prod: older; billing-worker has never been launched there.
cat > live/prod.json <<EOF
{
  "admin-ui": "$(short "$C4")",
  "auth": "$C4",
  "clinical-api": "$(short "$C1")",
  "legacy-reports": "$C1",
  "notifications": "$C2",
  "scheduler": "$(short "$C3")"
}
EOF

# --- summary ---------------------------------------------------------------------
echo "Created sample monorepo in $DIR"
echo
echo "History (branch main, $(git rev-list --count HEAD) commits, oldest first):"
n=0
git log --reverse --format='%h %s' | while IFS= read -r line; do
  n=$((n + 1)); printf '  C%-2s %s\n' "$n" "$line"
done
echo
echo "Tags: $(git tag -l | tr '\n' ' ')"
echo "HEAD: $(git rev-parse HEAD)"
echo
echo "Services (wharf.toml): clinical-api auth scheduler notifications billing-worker admin-ui"
echo "Live files (gitignored, not committed): live/dev.json live/prod.json"
echo
echo "Try:"
echo "  cd $DIR"
echo "  wharf plan --live live/dev.json"
echo "  wharf plan --live live/prod.json"
echo "  wharf plan --since $C7 --json      # since the docs commit (C7)"
echo "  wharf graph --format dot | dot -Tsvg > graph.svg"
