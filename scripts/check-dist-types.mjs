#!/usr/bin/env node
// Typechecks what ships: each published entry's emitted .d.ts files, imported by package name
// through the `exports` map, with skipLibCheck off, under the nodenext and bundler resolution
// profiles (jose's tools/typecheck-dist.sh idea). The runtime-agnostic entries are checked with
// `types: []` (no @types/node), so their types can never start to need Node's ambient globals.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')

const entries = [
  { pkg: 'ece', specifier: '@pushcraft/ece', node: false },
  { pkg: 'vapid', specifier: '@pushcraft/vapid', node: false },
  { pkg: 'webpush', specifier: '@pushcraft/webpush/request', node: false },
  { pkg: 'webpush', specifier: '@pushcraft/webpush', node: true },
  { pkg: 'testing', specifier: '@pushcraft/testing', node: true },
]
const profiles = [
  { name: 'nodenext', module: 'NodeNext', moduleResolution: 'NodeNext' },
  { name: 'bundler', module: 'ESNext', moduleResolution: 'Bundler' },
]

let failures = 0
for (const entry of entries) {
  const pkgDir = join(root, 'packages', entry.pkg)
  if (!existsSync(join(pkgDir, 'dist'))) {
    console.log(`✗ ${entry.specifier}: not built`)
    failures += 1
    continue
  }
  for (const profile of profiles) {
    // Inside the package folder, so the import resolves through the package's own `exports`
    // (self-reference) and its dependencies through its node_modules.
    const dir = join(pkgDir, '.dist-types-check')
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'check.ts'),
      `import * as api from '${entry.specifier}'\nexport const names: string[] = Object.keys(api)\n`,
    )
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          types: entry.node ? ['node'] : [],
          typeRoots: [join(root, 'node_modules', '@types')],
          module: profile.module,
          moduleResolution: profile.moduleResolution,
          exactOptionalPropertyTypes: true,
        },
        files: ['check.ts'],
      }),
    )
    const result = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' })
    rmSync(dir, { recursive: true, force: true })
    const label = `${entry.specifier} (${profile.name}${entry.node ? ', @types/node' : ', no Node types'})`
    if (result.status === 0) console.log(`✓ ${label}`)
    else {
      failures += 1
      console.log(
        `✗ ${label}\n${(result.stdout + result.stderr).trim().split('\n').slice(0, 15).join('\n')}`,
      )
    }
  }
}
process.exit(failures === 0 ? 0 : 1)
