// What you test is what you ship (STYLE §9.6): the built package, loaded through its `exports`
// map by name (Node's package self-reference, in a child process so that Node's own resolver is
// used), has exactly the public names, and works. Needs `pnpm run build` first (turbo's test
// task depends on build).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as source from '../src/index.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const PUBLIC_NAMES = [
  'DEFAULT_RECORD_SIZE',
  'EceError',
  'decrypt',
  'decryptAesgcm',
  'encrypt',
  'encryptAesgcm',
  'hkdf',
  'parseAesgcmHeaders',
  'parseHeader',
  'webCryptoAead',
]

describe('the built package', () => {
  it('exports "." as types + default from dist', () => {
    expect(packageJson.name).toBe('@pushcraft/ece')
    expect(packageJson.type).toBe('module')
    expect(packageJson.sideEffects).toBe(false)
    expect(packageJson.exports['.']).toEqual({
      types: './dist/index.d.ts',
      default: './dist/index.js',
    })
    expect(packageJson.dependencies ?? {}).toEqual({})
    expect(existsSync(new URL('../dist/index.js', import.meta.url))).toBe(true)
    expect(existsSync(new URL('../dist/index.d.ts', import.meta.url))).toBe(true)
  })

  it("resolves import('@pushcraft/ece') by name and exposes exactly the public names", () => {
    const script = `
      const ece = await import('@pushcraft/ece')
      const key = crypto.getRandomValues(new Uint8Array(16))
      const body = await ece.encrypt(new TextEncoder().encode('shipped'), { key, recordSize: 18 })
      const text = new TextDecoder().decode(await ece.decrypt(body, { key }))
      const code = await ece.decrypt(body.subarray(0, 30), { key }).catch((e) => e.code)
      console.log(JSON.stringify({ names: Object.keys(ece).sort(), text, code }))
    `
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: packageDir,
      encoding: 'utf8',
    })
    expect(JSON.parse(output)).toEqual({
      names: PUBLIC_NAMES,
      text: 'shipped',
      code: 'ERR_ECE_INVALID_RECORD',
    })
  })

  it('the source barrel has the same names', () => {
    expect(Object.keys(source).sort()).toEqual(PUBLIC_NAMES)
  })

  it('errors from the built copy are instanceof the source copy, and back', async () => {
    const dist = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof source
    expect(dist.EceError).not.toBe(source.EceError)
    const key = new Uint8Array(16)
    const fromDist = await dist.decrypt(new Uint8Array(5), { key }).catch((e: unknown) => e)
    expect(fromDist).toBeInstanceOf(source.EceError)
    const fromSource = await source.decrypt(new Uint8Array(5), { key }).catch((e: unknown) => e)
    expect(fromSource).toBeInstanceOf(dist.EceError)
  })

  it('the shipped declarations need no Node types', () => {
    const dist = new URL('../dist/', import.meta.url)
    const declarations = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.d.ts'),
    )
    expect(declarations.length).toBeGreaterThan(5)
    for (const file of declarations) {
      const text = readFileSync(new URL(file, dist), 'utf8')
      expect(text).not.toMatch(/\bBuffer\b|types="node"|from 'node:/)
    }
  })
})
