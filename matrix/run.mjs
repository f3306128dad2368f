#!/usr/bin/env node
// The runtime matrix: the same checks (checks/checks.js) on the packed @pushcraft/ece, vapid and
// webpush in Node 24, the Node floors the packages declare (engines.node), Deno 2, Bun 1, workerd
// and headless Chromium. Prints one line per runtime, writes .test-results/matrix.json (totalled
// by scripts/test-all.mjs) and .test-results/runtime-support.md, exits 1 on any failure.
//
//   node run.mjs                                  every row
//   node run.mjs --only deno,workerd              some rows (ids: node24 node20 … deno bun workerd chromium)
//   node run.mjs --package @pushcraft/ece=<.tgz | unpacked folder>   test that build instead of pnpm pack
//   node run.mjs --keep                           keep the staging folder (printed)
//   node run.mjs --no-write                       do not touch .test-results/
//   node run.mjs --update-readmes                 rewrite the "Runtime support" tables of the READMEs
//
// Each package README holds its table between `<!-- runtime-matrix:start -->` and
// `<!-- runtime-matrix:end -->`; a full run fails when a README's runtimes or results differ from
// what this run measured (versions may differ between machines and are not compared).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CHECK_LIST, NOT_BUILT } from './checks/checks.js'
import {
  cacheFolder,
  killChildren,
  runBun,
  runChromium,
  runDeno,
  runNode,
  runWorkerd,
} from './lib/runtimes.mjs'
import { LIBRARIES, ensureNode, interrupted, stage } from './lib/stage.mjs'

const RUNTIME_NAMES = {
  node: 'Node.js',
  deno: 'Deno',
  bun: 'Bun',
  workerd: 'workerd (Cloudflare Workers)',
  chromium: 'Chromium (headless)',
}

const MARK_START = '<!-- runtime-matrix:start -->'
const MARK_END = '<!-- runtime-matrix:end -->'
const LIBRARY_NAMES = LIBRARIES.map((library) => library.name)
const matrixDir = new URL('.', import.meta.url).pathname.replace(/\/$/, '')
const root = resolve(matrixDir, '..')
const started = Date.now()

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    package: { type: 'string', multiple: true, default: [] },
    keep: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'update-readmes': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '60' },
  },
})
const timeoutMs = Number(values.timeout) * 1000
const overrides = new Map(
  values.package.map((spec) => {
    const at = spec.indexOf('=', 1)
    if (at < 0) throw new TypeError(`--package expects name=path, got ${spec}`)
    return [spec.slice(0, at), resolve(spec.slice(at + 1))]
  }),
)

const workDir = mkdtempSync(join(tmpdir(), 'pushcraft-matrix-'))
const cacheDir = cacheFolder(matrixDir)
// However the run ends, no runtime it started outlives it.
process.on('exit', killChildren)
// Interrupted (Ctrl-C, turbo stopping a task): end our runtimes, remove our staging folder.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted.abort()
    killChildren()
    setTimeout(() => {
      if (!values.keep) rmSync(workDir, { recursive: true, force: true })
      process.exit(130)
    }, 200)
  })
}
let exitCode
try {
  const { appDir, packages } = await stage({ root, matrixDir, workDir, overrides })
  const notBuilt = new Map(packages.filter((p) => p.notBuilt).map((p) => [p.name, p.notBuilt]))
  const unusable = new Map(packages.filter((p) => p.unusable).map((p) => [p.name, p.unusable]))
  const engines = new Map(packages.map((p) => [p.name, p.engines]))

  // Node rows: the toolchain's Node (24) and each distinct floor the packages declare.
  const floors = [
    ...new Set(packages.map((p) => /^>=\s*(\d+\.\d+\.\d+)$/.exec(p.engines ?? '')?.[1])),
  ]
    .filter((v) => v !== undefined && v.split('.')[0] !== process.versions.node.split('.')[0])
    .sort((a, b) => Number(a.split('.')[0]) - Number(b.split('.')[0]))
  // Packages that are not there: their imports fail at run time in the worker, not the bundle.
  const external = [...notBuilt.keys(), ...unusable.keys()].flatMap((name) => [name, `${name}/*`])
  const rows = [
    {
      id: `node${process.versions.node.split('.')[0]}`,
      label: `node ${process.versions.node.split('.')[0]}`,
      run: () => runNode({ appDir, binary: process.execPath, timeoutMs }),
    },
    ...floors.map((version) => ({
      id: `node${version.split('.')[0]}`,
      label: `node ${version.split('.')[0]}`,
      nodeVersion: version,
      run: async () => runNode({ appDir, binary: await ensureNode(root, version), timeoutMs }),
    })),
    { id: 'deno', label: 'deno', run: () => runDeno({ appDir, matrixDir, cacheDir, timeoutMs }) },
    { id: 'bun', label: 'bun', run: () => runBun({ appDir, matrixDir, cacheDir, timeoutMs }) },
    {
      id: 'workerd',
      label: 'workerd',
      run: () => runWorkerd({ appDir, matrixDir, timeoutMs, external }),
    },
    {
      id: 'chromium',
      label: 'chromium',
      run: () =>
        runChromium({
          appDir,
          timeoutMs,
          executablePath: process.env.PUSHCRAFT_MATRIX_CHROMIUM ?? '/usr/bin/chromium',
        }),
    },
  ].filter((row) => !values.only || values.only.split(',').includes(row.id))

  // The rows share one staged folder and each writes only its own entry files; Node, Deno and
  // Bun reuse entry.mjs, so those run one after another, the browser and workerd alongside.
  const reports = new Map()
  const runRow = async (row) => {
    const rowStarted = Date.now()
    let outcome
    try {
      outcome = await row.run()
    } catch (error) {
      outcome = { error: error instanceof Error ? error.message : String(error) }
    }
    reports.set(row.id, { ...row, ...outcome, seconds: (Date.now() - rowStarted) / 1000 })
  }
  const processRows = rows.filter((row) => !['workerd', 'chromium'].includes(row.id))
  const parallelRows = rows.filter((row) => ['workerd', 'chromium'].includes(row.id))
  await Promise.all([
    (async () => {
      for (const row of processRows) await runRow(row)
    })(),
    (async () => {
      for (const row of parallelRows) await runRow(row)
    })(),
  ])

  // Score every row × check.
  let passed = 0
  let failed = 0
  const failures = []
  const table = []
  console.log('runtime matrix (packed @pushcraft/ece, vapid, webpush/request)')
  for (const row of rows) {
    const report = reports.get(row.id)
    const results = CHECK_LIST.map((check) => {
      const packageName = check.package.replace('/request', '')
      const floor = /^>=\s*(\d+\.\d+\.\d+)$/.exec(engines.get(packageName) ?? '')?.[1]
      if (row.nodeVersion && floor && compareVersions(row.nodeVersion, floor) < 0) {
        return {
          ...check,
          status: 'n/a',
          error: `${packageName} declares engines.node ${engines.get(packageName)}`,
        }
      }
      const result = report.results?.find((r) => r.name === check.name)
      // The webpush checks load ece and vapid too.
      const loaded = packageName === '@pushcraft/webpush' ? LIBRARY_NAMES : [packageName]
      const missing = loaded.find((name) => notBuilt.has(name) || unusable.has(name))
      if (missing && !result?.ok) {
        return notBuilt.has(missing)
          ? {
              ...check,
              status: 'fail',
              notBuilt: true,
              error: `${NOT_BUILT}: ${notBuilt.get(missing)}`,
            }
          : { ...check, status: 'fail', error: `${missing}: ${unusable.get(missing)}` }
      }
      if (report.error) return { ...check, status: 'fail', error: report.error }
      if (!result)
        return { ...check, status: 'fail', error: 'the runtime returned no result for this check' }
      if (result.ok) return { ...check, status: 'pass' }
      return {
        ...check,
        status: 'fail',
        notBuilt: result.error.startsWith(NOT_BUILT),
        error: result.error,
      }
    })
    const ran = results.filter((r) => r.status !== 'n/a')
    const ok = ran.filter((r) => r.status === 'pass').length
    const na = results.length - ran.length
    passed += ok
    failed += ran.length - ok
    const mark = ok === ran.length ? '✓' : '✗'
    const version = report.version ? `  ${report.version}` : ''
    const naText = na > 0 ? `  (${na} n/a: engines)` : ''
    console.log(
      `${row.label.padEnd(9)} ${mark} ${ok}/${ran.length}${version}${naText}  ${report.seconds.toFixed(1)}s`,
    )
    // One line per failing check; checks that failed with the same message share one line.
    const failing = results.filter((x) => x.status === 'fail')
    const byError = Map.groupBy(failing, (r) => r.error)
    for (const [error, group] of byError) {
      for (const r of group) failures.push(`${row.label}: ${r.package} ${r.name}: ${error}`)
      if (group.length === 1) console.log(`    ✗ ${group[0].package} ${group[0].name}: ${error}`)
      else {
        const names = [...new Set(group.map((r) => r.package))].join(', ')
        console.log(`    ✗ ${group.length} checks of ${names}: ${error}`)
      }
    }
    if (failing.length > 0 && report.log?.length > 0) {
      for (const line of report.log) console.log(`      console: ${line.slice(0, 300)}`)
    }
    table.push({ row, report, results })
  }
  if (values.only === undefined && overrides.size === 0) {
    for (const problem of checkReadmes(table, packages, values['update-readmes'])) {
      failed += 1
      failures.push(problem)
      console.log(`✗ ${problem}`)
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(
    `runtime matrix: ${passed} of ${passed + failed} runtime × check results passed (${seconds}s)`,
  )

  if (!values['no-write']) {
    const out = join(matrixDir, '.test-results')
    mkdirSync(out, { recursive: true })
    const rowsJson = table.map(({ row, report, results }) => ({
      runtime: row.label,
      version: report.version,
      seconds: report.seconds,
      error: report.error,
      checks: results.map(({ package: p, name, status, error }) => ({
        package: p,
        name,
        status,
        error,
      })),
    }))
    writeFileSync(
      join(out, 'matrix.json'),
      JSON.stringify({ passed, failed, failures, packages, rows: rowsJson }, null, 2) + '\n',
    )
    writeFileSync(join(out, 'runtime-support.md'), supportTable(table, packages))
  }
  if (values.keep) console.log(`staging folder kept: ${workDir}`)
  exitCode = failed > 0 || passed === 0 ? 1 : 0
} catch (error) {
  // The harness itself broke: still leave a report that counts as a failure.
  console.error(error)
  if (!values['no-write']) {
    mkdirSync(join(matrixDir, '.test-results'), { recursive: true })
    const message = `runtime matrix: harness failed: ${error instanceof Error ? error.message : String(error)}`
    writeFileSync(
      join(matrixDir, '.test-results', 'matrix.json'),
      JSON.stringify({ passed: 0, failed: 1, failures: [message] }, null, 2) + '\n',
    )
  }
  exitCode = 1
} finally {
  if (!values.keep) rmSync(workDir, { recursive: true, force: true })
}
process.exit(exitCode)

function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number))
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]
  return 0
}

/**
 * Compares (or, with `update`, rewrites) each package README's runtime table with this run's.
 * Rows are compared by runtime and result; versions are machine-dependent and ignored.
 */
function checkReadmes(table, packages, update) {
  const problems = []
  const sections = supportTable(table, packages).split(/^### /m).slice(1)
  for (const section of sections) {
    const specifier = section.slice(0, section.indexOf('\n')).trim()
    const dir = specifier.replace(/^@pushcraft\//, '').split('/')[0]
    const readmePath = join(root, 'packages', dir, 'README.md')
    const readme = readFileSync(readmePath, 'utf8')
    const start = readme.indexOf(MARK_START)
    const end = readme.indexOf(MARK_END)
    const body = `${MARK_START}\n\n#### ${section.trim()}\n\n${MARK_END}`
    const key = (text) =>
      [...text.matchAll(/^\| ([^|]+) \| [^|]+ \| ([^|]+) \|$/gm)]
        .filter((m) => m[1].trim() !== 'Runtime' && !m[1].startsWith('---'))
        .map((m) => `${m[1].trim()}: ${m[2].trim()}`)
        .join('; ')
    if (update) {
      const next =
        start >= 0 && end > start
          ? readme.slice(0, start) + body + readme.slice(end + MARK_END.length)
          : readme.replace(/^## Runtime support\n/m, `## Runtime support\n\n${body}\n`)
      writeFileSync(readmePath, next)
      continue
    }
    if (start < 0 || end < start) {
      problems.push(
        `${dir}/README.md has no runtime table (run: node matrix/run.mjs --update-readmes)`,
      )
    } else if (key(readme.slice(start, end)) !== key(section)) {
      problems.push(
        `${dir}/README.md runtime table differs from this run (run: node matrix/run.mjs --update-readmes): README says ${key(readme.slice(start, end))}; run says ${key(section)}`,
      )
    }
  }
  return problems
}

/** The "Runtime support" tables for the package READMEs, from this run. */
function supportTable(table, packages) {
  const specifiers = [...new Set(CHECK_LIST.map((c) => c.package))]
  const lines = [
    '<!-- generated by matrix/run.mjs from one run of the runtime matrix; do not edit by hand -->',
    '',
    `Tested by \`matrix/\` on ${new Date().toISOString().slice(0, 10)} against the \`pnpm pack\` tarballs`,
    `(${packages
      .filter((p) => p.name !== 'jose')
      .map((p) => `${p.name}@${p.version ?? '?'}`)
      .join(', ')}; jose@${packages.find((p) => p.name === 'jose')?.version}).`,
    '',
  ]
  for (const specifier of specifiers) {
    const names = CHECK_LIST.filter((c) => c.package === specifier).map((c) => c.name)
    lines.push(`### ${specifier}`, '', '| Runtime | Version | Result |', '| --- | --- | --- |')
    for (const { row, report, results } of table) {
      const mine = results.filter((r) => r.package === specifier)
      const ran = mine.filter((r) => r.status !== 'n/a')
      const ok = ran.filter((r) => r.status === 'pass').length
      let cell
      if (ran.length === 0) cell = `not supported (${mine[0]?.error})`
      else if (mine.some((r) => r.notBuilt)) cell = '✗ package not built yet'
      else if (ok === ran.length) cell = `✓ ${ok}/${ran.length} checks`
      else cell = `✗ ${ok}/${ran.length} checks`
      const runtime = RUNTIME_NAMES[row.id.replace(/\d+$/, '')] ?? row.label
      lines.push(`| ${runtime} | ${report.version ?? '—'} | ${cell} |`)
    }
    lines.push('', `Checks: ${names.join('; ')}.`, '')
  }
  return lines.join('\n')
}
