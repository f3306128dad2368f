#!/usr/bin/env node
// The whole suite, as `./run test` and `.ci/run` run it: build, then typecheck, lint, tests,
// package checks (publint, attw) and the boundary check, then one closing line
// `N passed, N failed` totalled over every test case and every check.
//
// Each vitest run writes `.test-results/vitest.json` (see vitest.shared.ts); other runners may
// write `.test-results/<name>.json` as `{ "passed": n, "failed": n, "failures": [..] }`.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const filter = args.flatMap((a) => ['--filter', a])
const run = (cmd, argv) =>
  spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '1' } })
    .status ?? 1

const workspaces = ['packages', 'apps', 'bench']
  .filter((dir) => existsSync(join(root, dir)))
  .flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(root, dir, name)))
  .concat([join(root, 'matrix')]) // a workspace that is a top-level folder itself
  .filter((dir) => existsSync(join(dir, 'package.json')))

let passed = 0
let failed = 0
const failures = []

console.log('\n== build')
if (run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...filter]) !== 0) {
  console.log('\nbuild failed: nothing else can run\n0 passed, 1 failed')
  process.exit(1)
}

for (const dir of workspaces) rmSync(join(dir, '.test-results'), { recursive: true, force: true })
rmSync(join(root, '.turbo', 'runs'), { recursive: true, force: true })

console.log('\n== typecheck, lint, test, check:package')
run('pnpm', [
  'exec',
  'turbo',
  'run',
  'typecheck',
  'lint',
  'lint:root',
  'test',
  'check:package',
  '--continue',
  '--summarize',
  '--concurrency=2',
  '--output-logs=new-only',
  ...filter,
])

// Turbo's run summary: one entry per task with its exit code.
const runsDir = join(root, '.turbo', 'runs')
const summaryFile = existsSync(runsDir)
  ? readdirSync(runsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(runsDir, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
  : undefined
const tasks = summaryFile ? (JSON.parse(readFileSync(summaryFile, 'utf8')).tasks ?? []) : []
if (!summaryFile) {
  failed += 1
  failures.push('turbo wrote no run summary')
}

// Test cases, from every workspace's result files.
const testTotals = new Map()
for (const dir of workspaces) {
  const resultsDir = join(dir, '.test-results')
  if (!existsSync(resultsDir)) continue
  for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'))
    let p
    let f
    if ('numPassedTests' in report) {
      p = report.numPassedTests
      f = report.numFailedTests
      for (const suite of report.testResults ?? []) {
        const failedCases = (suite.assertionResults ?? []).filter((a) => a.status === 'failed')
        // A file that failed to load has no failed case of its own: count the file.
        if (suite.status === 'failed' && failedCases.length === 0) {
          f += 1
          failures.push(`${suite.name}: ${String(suite.message ?? 'failed to run').split('\n')[0]}`)
        }
        for (const a of failedCases)
          failures.push(`${suite.name.replace(root, '')} › ${a.fullName}`)
      }
    } else {
      p = report.passed ?? 0
      f = report.failed ?? 0
      for (const name of report.failures ?? []) failures.push(`${file}: ${name}`)
    }
    passed += p
    failed += f
    testTotals.set(dir, {
      passed: (testTotals.get(dir)?.passed ?? 0) + p,
      failed: (testTotals.get(dir)?.failed ?? 0) + f,
    })
  }
}

// Every non-test task is one check; a test task that failed without reporting a failure is one too.
for (const task of tasks) {
  const ok = task.execution?.exitCode === 0
  const dir = join(root, task.directory ?? '')
  if (task.task === 'test') {
    const totals = testTotals.get(dir.replace(/\/$/, ''))
    if (!ok && (!totals || totals.failed === 0)) {
      failed += 1
      failures.push(
        `${task.taskId} exited ${task.execution?.exitCode} without a test failure report`,
      )
    }
    continue
  }
  if (ok) passed += 1
  else {
    failed += 1
    failures.push(`${task.taskId} failed`)
  }
}

// Repository checks on what ships: one check each.
const repoChecks = [
  ['boundaries', 'scripts/check-boundaries.mjs'],
  ['dist types', 'scripts/check-dist-types.mjs'],
]
for (const [name, script] of repoChecks) {
  console.log(`\n== ${name}`)
  if (run('node', [script]) === 0) passed += 1
  else {
    failed += 1
    failures.push(`${script} failed`)
  }
}

console.log('\n== summary')
for (const [dir, t] of testTotals)
  console.log(`  ${dir.replace(root, '')}: ${t.passed} passed, ${t.failed} failed`)
console.log(
  `  checks: ${tasks.filter((t) => t.task !== 'test').length + repoChecks.length} (typecheck, lint, package, boundaries, dist types)`,
)
if (failures.length > 0) {
  console.log('\nFailures:')
  for (const f of failures) console.log(`  ✗ ${f}`)
}
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
