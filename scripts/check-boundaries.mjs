#!/usr/bin/env node
// Proves the package boundaries of STYLE §4 by bundling what ships (dist/) for a neutral platform
// and reading the bundle's inputs, the way jose's bundle report does:
//   - @pushcraft/ece bundles from its own files alone (no bare import, no node:*, no Buffer/process);
//   - @pushcraft/vapid bundles from its own files and jose alone;
//   - @pushcraft/webpush/request (the pure request builder) bundles without undici or node:*.
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
process.exit(failures === 0 ? 0 : 1)
