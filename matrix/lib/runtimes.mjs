// One driver per runtime. Each gets the staged app folder (checks.js, vectors.js and the unpacked
// packages in node_modules/) and returns `{ version, results }`, results being what
// checks.js's runChecks() returned inside that runtime. A driver throws when the runtime itself
// cannot run (not installed, bundle failed, no answer): the runner then fails every check of
// that row with the reason.
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { createRequire } from 'node:module'
import { dirname, extname, join, normalize, sep } from 'node:path'
import { promisify } from 'node:util'
import { resolveExports, resolveImports } from './stage.mjs'

const exec = promisify(execFile)

/** The runtime processes this run started, so an interrupted run can end them (and only them). */
const children = new Set()

let stopping = false

function track(child) {
  if (stopping) child.kill('SIGKILL')
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

/** Ends the runtime processes this run started and that still run. */
export function killChildren() {
  stopping = true
  for (const child of children) child.kill('SIGKILL')
}

const MARKER = '@@PUSHCRAFT_MATRIX@@'

/** The entry Node, Deno and Bun run: it prints the results on one marked line. */
const ENTRY = `import { runChecks } from './checks.js'
import vectors from './vectors.js'
const results = await runChecks(vectors)
console.log(${JSON.stringify(MARKER)} + JSON.stringify(results))
`

/**
 * A binary shipped inside an npm package (resolved from this package's devDependencies, then
 * from the wrapper package's own optional dependency), so no install script has to run.
 */
function packageBinary(matrixDir, wrapper, platformPackage, file) {
  const fromMatrix = createRequire(join(matrixDir, 'package.json'))
  let manifest
  try {
    manifest = fromMatrix.resolve(`${platformPackage}/package.json`)
  } catch {
    const wrapperDir = realpathSync(dirname(fromMatrix.resolve(`${wrapper}/package.json`)))
    manifest = createRequire(join(wrapperDir, 'package.json')).resolve(
      `${platformPackage}/package.json`,
    )
  }
  const binary = join(dirname(manifest), file)
  if (!existsSync(binary)) throw new Error(`${platformPackage} ships no ${file}`)
  return binary
}

/** Runs `binary args` in `cwd` and returns the results line's JSON. */
function runProcess(binary, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(binary, args, {
        cwd,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.split('\n').find((l) => l.startsWith(MARKER))
      if (line) resolve(JSON.parse(line.slice(MARKER.length)))
      else {
        const why = signal ? `killed by ${signal}` : `exited ${code}`
        reject(new Error(`${why} without results: ${firstLines(stderr || stdout)}`))
      }
    })
  })
}

function firstLines(text, n = 3) {
  return text.trim().split('\n').slice(0, n).join(' | ').slice(0, 400) || '(no output)'
}

// ---------------------------------------------------------------------------------------------

/** Node.js: the toolchain's own Node, or one fetched by ensureNode(). */
export async function runNode({ appDir, binary, timeoutMs }) {
  writeFileSync(join(appDir, 'entry.mjs'), ENTRY)
  const { stdout } = await exec(binary, ['--version'])
  const results = await runProcess(binary, ['entry.mjs'], {
    cwd: appDir,
    env: { NODE_OPTIONS: '', NODE_NO_WARNINGS: '1' },
    timeoutMs,
  })
  return { version: stdout.trim().replace(/^v/, ''), results }
}

/** Deno 2 from the `deno` npm package; node_modules resolution ("manual"), no network. */
export async function runDeno({ appDir, matrixDir, cacheDir, timeoutMs }) {
  const binary = packageBinary(matrixDir, 'deno', '@deno/linux-x64-glibc', 'deno')
  writeFileSync(join(appDir, 'entry.mjs'), ENTRY)
  writeFileSync(join(appDir, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }))
  const env = { DENO_DIR: join(cacheDir, 'deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }
  const { stdout } = await exec(binary, ['--version'], { env: { ...process.env, ...env } })
  const results = await runProcess(
    binary,
    ['run', '--no-lock', '--no-prompt', '--no-remote', `--allow-read=${appDir}`, 'entry.mjs'],
    { cwd: appDir, env, timeoutMs },
  )
  return {
    version: stdout
      .split('\n')[0]
      .replace(/^deno /, '')
      .split(' ')[0],
    results,
  }
}

/** Bun 1 from the `bun` npm package (the binary of @oven/bun-linux-x64, no postinstall). */
export async function runBun({ appDir, matrixDir, cacheDir, timeoutMs }) {
  const binary = packageBinary(matrixDir, 'bun', '@oven/bun-linux-x64', 'bin/bun')
  writeFileSync(join(appDir, 'entry.mjs'), ENTRY)
  const env = {
    BUN_INSTALL_CACHE_DIR: join(cacheDir, 'bun'),
    BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
    DO_NOT_TRACK: '1',
    NO_COLOR: '1',
  }
  const { stdout } = await exec(binary, ['--version'])
  const results = await runProcess(binary, ['--no-install', 'entry.mjs'], {
    cwd: appDir,
    env,
    timeoutMs,
  })
  return { version: stdout.trim(), results }
}

/**
 * The Worker's compatibility date. Since mid-2026 new dates turn Node.js compatibility
 * (`nodejs_compat_v2`: `Buffer`, `process`, `node:*`) on by default; the row turns it off with
 * `no_nodejs_compat_v2`, so it stands for every Worker that did not opt in, and a Node built-in in
 * a package fails here.
 */
const COMPATIBILITY_DATE = '2026-11-01'

/**
 * workerd (@cloudflare/workerd-linux-64): the checks bundled by esbuild for a neutral platform
 * with the workerd conditions, served as a module worker on 127.0.0.1, called over loopback.
 */
export async function runWorkerd({ appDir, matrixDir, timeoutMs, external }) {
  const binary = packageBinary(matrixDir, 'workerd', '@cloudflare/workerd-linux-64', 'bin/workerd')
  const manifest = join(dirname(dirname(binary)), 'package.json')
  const version = JSON.parse(readFileSync(manifest, 'utf8')).version
  const { build } = await import('esbuild')
  writeFileSync(
    join(appDir, 'worker-entry.js'),
    `import { runChecks } from './checks.js'
import vectors from './vectors.js'
export default {
  async fetch() {
    try {
      return Response.json({ results: await runChecks(vectors) })
    } catch (error) {
      return Response.json({ error: String(error) }, { status: 500 })
    }
  },
}
`,
  )
  try {
    await build({
      entryPoints: [join(appDir, 'worker-entry.js')],
      outfile: join(appDir, 'worker.js'),
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      external,
      logLevel: 'silent',
      absWorkingDir: appDir,
    })
  } catch (error) {
    const first = error.errors?.[0]
    throw new Error(`esbuild bundle failed: ${first ? first.text : String(error)}`, {
      cause: error,
    })
  }
  const port = await freePort()
  writeFileSync(
    join(appDir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .matrixWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const matrixWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  compatibilityFlags = [ "no_nodejs_compat_v2" ],
);
`,
  )
  const child = track(
    spawn(binary, ['serve', 'config.capnp'], {
      cwd: appDir,
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  )
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  let exited = null
  child.on('exit', (code, signal) => (exited = signal ?? code))
  try {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (exited !== null) throw new Error(`workerd exited (${exited}): ${firstLines(stderr)}`)
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`, {
          signal: AbortSignal.timeout(timeoutMs),
        })
        const body = await response.json()
        if (body.error) throw new Error(`worker failed: ${body.error}`)
        return { version, results: body.results }
      } catch (error) {
        if (error.cause?.code !== 'ECONNREFUSED' || Date.now() > deadline) throw error
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  } finally {
    child.kill('SIGTERM')
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const MIME = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
}

/**
 * Headless Chromium (Debian's), driven by playwright-core: a page served from 127.0.0.1 loads
 * the checks as an ES module, with an import map that points each package's specifiers at the
 * files its `exports` map names for the browser conditions.
 */
export async function runChromium({ appDir, timeoutMs, executablePath }) {
  if (!existsSync(executablePath)) {
    throw new Error(
      `${executablePath} is missing (apt-get install -y chromium, as scripts/test-services.sh does)`,
    )
  }
  const imports = {}
  // Each package's private `#…` imports (e.g. webpush's `#backend`), scoped to its own files.
  const scopes = {}
  for (const name of ['@pushcraft/ece', '@pushcraft/vapid', '@pushcraft/webpush', 'jose']) {
    const dir = join(appDir, 'node_modules', name)
    if (!existsSync(join(dir, 'package.json'))) continue
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    for (const [specifier, file] of Object.entries(
      resolveExports(name, dir, manifest.exports, ['browser', 'import']),
    )) {
      imports[specifier] = `/node_modules/${name}/${file}`
    }
    const own = resolveImports(manifest.imports, ['browser', 'import'])
    if (Object.keys(own).length > 0) {
      scopes[`/node_modules/${name}/`] = Object.fromEntries(
        Object.entries(own).map(([specifier, file]) => [
          specifier,
          `/node_modules/${name}/${file}`,
        ]),
      )
    }
  }
  writeFileSync(
    join(appDir, 'index.html'),
    `<!doctype html>
<meta charset="utf-8">
<title>pushcraft runtime matrix</title>
<link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports, scopes }, null, 2)}</script>
<script type="module">
  import { runChecks } from './checks.js'
  import vectors from './vectors.js'
  runChecks(vectors).then(
    (results) => (globalThis.__matrix = { results }),
    (error) => (globalThis.__matrix = { error: String(error) }),
  )
</script>
`,
  )
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname))
    const file = join(appDir, path)
    if (!file.startsWith(appDir + sep) || !existsSync(file)) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' })
    response.end(readFileSync(file))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  // A fresh profile inside the staging folder, so it goes wherever the run ends.
  const userDataDir = join(dirname(appDir), 'chromium-profile')
  const { chromium } = await import('playwright-core')
  let context
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_FLAGS,
      timeout: timeoutMs,
    })
    const version =
      context.browser()?.version() ?? (await exec(executablePath, ['--version'])).stdout.trim()
    const page = context.pages()[0] ?? (await context.newPage())
    const problems = []
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`, { timeout: timeoutMs })
    try {
      await page.waitForFunction(() => globalThis.__matrix !== undefined, null, {
        timeout: timeoutMs,
      })
    } catch {
      throw new Error(`the page produced no results: ${problems.join(' | ') || 'timed out'}`)
    }
    const outcome = await page.evaluate(() => globalThis.__matrix)
    if (outcome.error) throw new Error(`the page failed: ${outcome.error}`)
    // A module that fails to link only says "Failed to fetch dynamically imported module" to the
    // page; the reason (an unresolvable specifier, a 404) is on the console.
    const log = [...new Set(problems)].slice(0, 5)
    return {
      version: String(version)
        .replace(/^Chromium /, '')
        .split(' ')[0],
      results: outcome.results,
      log,
    }
  } finally {
    await context?.close().catch(() => {})
    server.close()
    rmSync(userDataDir, { recursive: true, force: true })
  }
}

/** A cache folder that lives and dies with this package's node_modules (never committed). */
export function cacheFolder(matrixDir) {
  const dir = join(matrixDir, 'node_modules', '.cache', 'runtime-matrix')
  mkdirSync(dir, { recursive: true })
  return dir
}
