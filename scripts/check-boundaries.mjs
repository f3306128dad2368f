#!/usr/bin/env node
// Proves the package boundaries of STYLE §4 by bundling what ships (dist/) for a neutral platform
// and reading the bundle's inputs, the way jose's bundle report does:
//   - @pushcraft/ece bundles from its own files alone (no bare import, no node:*, no Buffer/process);
//   - @pushcraft/vapid bundles from its own files and jose alone;
//   - @pushcraft/webpush/request (the pure request builder) bundles without undici or node:*.
// And webpush's Node.js crypto backend behind package.json `imports` (`#backend`) is what Node
// and a bundle for Node pick, and never what a neutral, browser, Workers, Deno or Bun build picks.
import { execFileSync } from 'node:child_process'
import { build } from 'esbuild'
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const nodeGlobals = /\b(Buffer|process|require|__dirname|setImmediate)\b/

const checks = [
  {
    name: '@pushcraft/ece',
    entry: 'packages/ece/dist/index.js',
    allow: [/^packages\/ece\/dist\//],
  },
  {
    name: '@pushcraft/vapid',
    entry: 'packages/vapid/dist/index.js',
    allow: [
      /^packages\/vapid\/dist\//,
      /node_modules\/(\.pnpm\/jose@[^/]+\/node_modules\/)?jose\//,
    ],
  },
  {
    name: '@pushcraft/webpush/request',
    entry: 'packages/webpush/dist/request-entry.js',
    allow: [
      /^packages\/(webpush|ece|vapid)\/dist\//,
      /node_modules\/(\.pnpm\/jose@[^/]+\/node_modules\/)?jose\//,
    ],
  },
]

let failures = 0
for (const check of checks) {
  const entry = join(root, check.entry)
  if (!existsSync(entry)) {
    console.log(`✗ ${check.name}: ${check.entry} is missing (build first)`)
    failures += 1
    continue
  }
  const problems = []
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'neutral',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: root,
      // What a user's bundler sees: package.json only, not our tsconfig `paths`.
      tsconfigRaw: '{}',
    })
    for (const input of Object.keys(result.metafile.inputs)) {
      const path = relative(root, join(root, input))
      if (!check.allow.some((re) => re.test(path))) problems.push(`imports ${path}`)
    }
    for (const input of Object.keys(result.metafile.inputs)) {
      if (!input.startsWith('packages/')) continue
      const source = readFileSync(join(root, input), 'utf8').replace(
        /\/\/.*$|\/\*[\s\S]*?\*\//gm,
        '',
      )
      const hit = nodeGlobals.exec(source)
      if (hit) problems.push(`${input} uses the Node global '${hit[1]}'`)
    }
  } catch (error) {
    const messages = error.errors?.map((e) => e.text) ?? [String(error)]
    problems.push(...messages.map((m) => `does not bundle for a neutral platform: ${m}`))
  }
  if (problems.length === 0)
    console.log(`✓ ${check.name}: bundles for a neutral platform from allowed inputs only`)
  else {
    failures += 1
    for (const p of problems) console.log(`✗ ${check.name}: ${p}`)
  }
}
const backends = [
  {
    name: '#backend',
    entry: 'packages/webpush/dist/request-entry.js',
    node: 'packages/webpush/dist/internal/backend-node.js',
    web: 'packages/webpush/dist/internal/backend.js',
  },
]
for (const backend of backends) {
  for (const [platform, conditions, expected, other] of [
    ['node', [], backend.node, backend.web],
    ['neutral', [], backend.web, backend.node],
    ['browser', [], backend.web, backend.node],
    ['node', ['workerd', 'worker'], backend.web, backend.node],
    ['node', ['deno'], backend.web, backend.node],
    ['node', ['bun'], backend.web, backend.node],
  ]) {
    const label = `${backend.name} for ${platform}${conditions.length ? ` + ${conditions.join(',')}` : ''}`
    try {
      const result = await build({
        entryPoints: [join(root, backend.entry)],
        bundle: true,
        write: false,
        platform,
        conditions,
        format: 'esm',
        metafile: true,
        logLevel: 'silent',
        absWorkingDir: root,
        // What a user's bundler sees: package.json only, not our tsconfig `paths`.
        tsconfigRaw: '{}',
        external: ['node:*'],
      })
      const inputs = Object.keys(result.metafile.inputs).map((i) => relative(root, join(root, i)))
      if (inputs.includes(expected) && !inputs.includes(other))
        console.log(`✓ ${label}: ${expected}`)
      else {
        failures += 1
        console.log(`✗ ${label}: expected ${expected} and not ${other}`)
      }
    } catch (error) {
      failures += 1
      console.log(`✗ ${label}: ${error.errors?.map((e) => e.text).join('; ') ?? String(error)}`)
    }
  }
}
// Node.js itself (`import.meta.resolve` in the package, with extra `--conditions`): the node
// backend by default, WebCrypto whenever a runtime condition listed before `node` is set.
for (const backend of backends) {
  const dir = join(root, backend.entry.split('/dist/')[0])
  for (const condition of [
    undefined,
    'deno',
    'bun',
    'workerd',
    'worker',
    'edge-light',
    'browser',
    'react-native',
  ]) {
    const expected = condition === undefined ? backend.node : backend.web
    const label = `${backend.name} in Node.js${condition === undefined ? '' : ` --conditions=${condition}`}`
    const resolved = relative(
      root,
      new URL(
        execFileSync(
          process.execPath,
          [
            ...(condition === undefined ? [] : [`--conditions=${condition}`]),
            '--input-type=module',
            '-e',
            `process.stdout.write(import.meta.resolve(${JSON.stringify(backend.name)}))`,
          ],
          { cwd: dir, encoding: 'utf8' },
        ),
      ).pathname,
    )
    if (resolved === expected) console.log(`✓ ${label}: ${expected}`)
    else {
      failures += 1
      console.log(`✗ ${label}: ${resolved}, expected ${expected}`)
    }
  }
}
process.exit(failures === 0 ? 0 : 1)
