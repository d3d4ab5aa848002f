// Small lockfiles of one workspace in each format, as the package managers
// write them, shared by the lockfile tests.
#pragma once

#include <string_view>

namespace wharf::lockfile::testing::samples {

// A workspace: apps/cart -> packages/ui -> packages/tokens (workspace
// links), apps/admin on its own, the root with a dev tool. react-dom has a
// peer suffix; tokens uses an npm alias.
inline constexpr std::string_view kPnpm9 = R"(lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

overrides:
  lodash: 4.17.21

importers:

  .:
    devDependencies:
      typescript:
        specifier: ^5.4.0
        version: 5.4.5

  apps/admin:
    dependencies:
      left-pad:
        specifier: ^1.3.0
        version: 1.3.0

  apps/cart:
    dependencies:
      '@acme/ui':
        specifier: workspace:*
        version: link:../../packages/ui
      react:
        specifier: ^18.2.0
        version: 18.2.0

  packages/tokens:
    dependencies:
      string-width-cjs:
        specifier: npm:string-width@^4.2.0
        version: string-width@4.2.3

  packages/ui:
    dependencies:
      '@acme/tokens':
        specifier: workspace:*
        version: link:../tokens
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)

packages:

  js-tokens@4.0.0:
    resolution: {integrity: sha512-jsTokens4}

  left-pad@1.3.0:
    resolution: {integrity: sha512-leftPad130}
    deprecated: use String.prototype.padStart()

  loose-envify@1.4.0:
    resolution: {integrity: sha512-looseEnvify140}
    hasBin: true

  react-dom@18.2.0:
    resolution: {integrity: sha512-reactDom1820}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {integrity: sha512-react1820}
    engines: {node: '>=0.10.0'}

  scheduler@0.23.2:
    resolution: {integrity: sha512-scheduler0232}

  string-width@4.2.3:
    resolution: {integrity: sha512-stringWidth423}
    engines: {node: '>=8'}

  typescript@5.4.5:
    resolution: {integrity: sha512-typescript545}
    engines: {node: '>=14.17'}
    hasBin: true

snapshots:

  js-tokens@4.0.0: {}

  left-pad@1.3.0: {}

  loose-envify@1.4.0:
    dependencies:
      js-tokens: 4.0.0

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
      scheduler: 0.23.2

  react@18.2.0:
    dependencies:
      loose-envify: 1.4.0

  scheduler@0.23.2:
    dependencies:
      loose-envify: 1.4.0

  string-width@4.2.3: {}

  typescript@5.4.5: {}
)";

// The same workspace as pnpm 8 wrote it (v6: importers alike but for the
// alias, and one `packages` section with `/`-prefixed keys holding
// resolutions and dependencies).
inline constexpr std::string_view kPnpm6Packages = R"(packages:

  /js-tokens@4.0.0:
    resolution: {integrity: sha512-jsTokens4}
    dev: false

  /left-pad@1.3.0:
    resolution: {integrity: sha512-leftPad130}
    deprecated: use String.prototype.padStart()
    dev: false

  /loose-envify@1.4.0:
    resolution: {integrity: sha512-looseEnvify140}
    hasBin: true
    dependencies:
      js-tokens: 4.0.0
    dev: false

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-reactDom1820}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
      scheduler: 0.23.2
    dev: false

  /react@18.2.0:
    resolution: {integrity: sha512-react1820}
    engines: {node: '>=0.10.0'}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /scheduler@0.23.2:
    resolution: {integrity: sha512-scheduler0232}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /string-width@4.2.3:
    resolution: {integrity: sha512-stringWidth423}
    engines: {node: '>=8'}
    dev: false

  /typescript@5.4.5:
    resolution: {integrity: sha512-typescript545}
    engines: {node: '>=14.17'}
    hasBin: true
    dev: true
)";

// npm 9 workspaces: cart links @acme/ui (a workspace); ui has its own
// react 17 nested under packages/ui/node_modules; loose-envify has a nested
// js-tokens 3 while the root has js-tokens 4.
inline constexpr std::string_view kNpm3 = R"json({
  "name": "shop",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "shop",
      "workspaces": ["apps/*", "packages/*"],
      "devDependencies": {"typescript": "^5.4.0"},
      "overrides": {"semver": "^7.5.4"}
    },
    "apps/admin": {
      "name": "admin",
      "version": "1.0.0",
      "dependencies": {"js-tokens": "^4.0.0", "left-pad": "^1.3.0"}
    },
    "apps/cart": {
      "name": "cart",
      "version": "1.0.0",
      "dependencies": {"@acme/ui": "*", "react": "^18.2.0"},
      "optionalDependencies": {"fsevents": "^2.3.0"}
    },
    "node_modules/@acme/ui": {"resolved": "packages/ui", "link": true},
    "node_modules/admin": {"resolved": "apps/admin", "link": true},
    "node_modules/cart": {"resolved": "apps/cart", "link": true},
    "node_modules/js-tokens": {
      "version": "4.0.0",
      "resolved": "https://registry.npmjs.org/js-tokens/-/js-tokens-4.0.0.tgz",
      "integrity": "sha512-jsTokens4"
    },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
      "integrity": "sha512-leftPad130",
      "deprecated": "use String.prototype.padStart()"
    },
    "node_modules/loose-envify": {
      "version": "1.4.0",
      "integrity": "sha512-looseEnvify140",
      "dependencies": {"js-tokens": "^3.0.0"},
      "bin": {"loose-envify": "cli.js"}
    },
    "node_modules/loose-envify/node_modules/js-tokens": {
      "version": "3.0.2",
      "integrity": "sha512-jsTokens3"
    },
    "node_modules/object-assign": {
      "version": "4.1.1",
      "integrity": "sha512-objectAssign411"
    },
    "node_modules/react": {
      "version": "18.2.0",
      "integrity": "sha512-react1820",
      "dependencies": {"loose-envify": "^1.1.0"}
    },
    "node_modules/typescript": {
      "version": "5.4.5",
      "dev": true,
      "integrity": "sha512-typescript545"
    },
    "packages/ui": {
      "name": "@acme/ui",
      "version": "1.0.0",
      "dependencies": {"react": "^17.0.2"},
      "peerDependencies": {"react-dom": "*"}
    },
    "packages/ui/node_modules/react": {
      "version": "17.0.2",
      "integrity": "sha512-react1702",
      "dependencies": {"loose-envify": "^1.1.0", "object-assign": "^4.1.1"}
    }
  }
}
)json";

inline constexpr std::string_view kYarnClassic = R"(# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"js-tokens@^3.0.0 || ^4.0.0":
  version "4.0.0"
  resolved "https://registry.yarnpkg.com/js-tokens/-/js-tokens-4.0.0.tgz#19203fb59991df98e3a287050d4647cdeaf32499"
  integrity sha512-jsTokens4

left-pad@^1.3.0:
  version "1.3.0"
  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#5b8a3a7765dfe001261dde915589e782f8c94d1e"
  integrity sha512-leftPad130

loose-envify@^1.1.0:
  version "1.4.0"
  resolved "https://registry.yarnpkg.com/loose-envify/-/loose-envify-1.4.0.tgz#71ee51fa7be4caec1a63839f7e682d8132d30caf"
  integrity sha512-looseEnvify140
  dependencies:
    js-tokens "^3.0.0 || ^4.0.0"

"react-dom@^18.2.0", react-dom@^18.0.0:
  version "18.2.0"
  resolved "https://registry.yarnpkg.com/react-dom/-/react-dom-18.2.0.tgz#22aaf38708db2674ed9ada224ca4aa708d821e3d"
  integrity sha512-reactDom1820
  dependencies:
    loose-envify "^1.1.0"
    scheduler "^0.23.0"

react@^18.2.0:
  version "18.2.0"
  resolved "https://registry.yarnpkg.com/react/-/react-18.2.0.tgz#555bd98592883255fa00de14f1151a917b5d77d5"
  integrity sha512-react1820
  dependencies:
    loose-envify "^1.1.0"

scheduler@^0.23.0:
  version "0.23.2"
  resolved "https://registry.yarnpkg.com/scheduler/-/scheduler-0.23.2.tgz#414ba64a3b282892e944cf2108ecc078d115cdc3"
  integrity sha512-scheduler0232
  dependencies:
    loose-envify "^1.1.0"

typescript@^5.4.0:
  version "5.4.5"
  resolved "https://registry.yarnpkg.com/typescript/-/typescript-5.4.5.tgz#42ccef2c571fdbd0f6718b1d1f5e6e5ef006f611"
  integrity sha512-typescript545
)";

inline constexpr std::string_view kYarnBerry = R"(# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"@acme/ui@workspace:*, @acme/ui@workspace:packages/ui":
  version: 0.0.0-use.local
  resolution: "@acme/ui@workspace:packages/ui"
  dependencies:
    react: "npm:^18.2.0"
  languageName: unknown
  linkType: soft

"admin@workspace:apps/admin":
  version: 0.0.0-use.local
  resolution: "admin@workspace:apps/admin"
  dependencies:
    left-pad: ^1.3.0
  languageName: unknown
  linkType: soft

"cart@workspace:apps/cart":
  version: 0.0.0-use.local
  resolution: "cart@workspace:apps/cart"
  dependencies:
    "@acme/ui": "workspace:*"
    left-pad: "npm:^1.3.0"
  languageName: unknown
  linkType: soft

"js-tokens@npm:^3.0.0 || ^4.0.0":
  version: 4.0.0
  resolution: "js-tokens@npm:4.0.0"
  checksum: 10c0/e248708d377aa058eacf2037b07ded847790e6de892bbad3dac0abba2e759cb9f121b00099a65195616badcb6eca8d14d975cb3e89eb1cfda644756402c8aeed
  languageName: node
  linkType: hard

"left-pad@npm:^1.3.0":
  version: 1.3.0
  resolution: "left-pad@npm:1.3.0"
  checksum: 10c0/3fb59c76e281a2f5c810ad71dbbb8eba8b10b6cf94733dc7f27b9c2a4d2a0b4bb2ea2e8a6b2ee6c77a5c4d2b4b6a6f1c2e3d4b5a6c7d8e9f0a1b2c3d4e5f6a7b
  languageName: node
  linkType: hard

"loose-envify@npm:^1.1.0":
  version: 1.4.0
  resolution: "loose-envify@npm:1.4.0"
  dependencies:
    js-tokens: "npm:^3.0.0 || ^4.0.0"
  bin:
    loose-envify: cli.js
  checksum: 10c0/5c3b47bbe5f597a3889fb001a3a98aaea2a3fafa48089c19034de1e0121bf57dbee609d184478514d74d5c5a7e0d2c1e8a9b
  languageName: node
  linkType: hard

"react@npm:^18.2.0":
  version: 18.2.0
  resolution: "react@npm:18.2.0"
  dependencies:
    loose-envify: "npm:^1.1.0"
  checksum: 10c0/b562d9b569b0cb315e44b48099f7712283d93df36b19a39a67c254c6686479d3980b7f013dc931f4a5a3ae7645eae6386b4aa5eea933baa54ecd0f9acb0902b8
  languageName: node
  linkType: hard

"shop@workspace:.":
  version: 0.0.0-use.local
  resolution: "shop@workspace:."
  languageName: unknown
  linkType: soft
)";

}  // namespace wharf::lockfile::testing::samples
