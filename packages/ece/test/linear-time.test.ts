// Complexity check (noble's slow-dos idea): decrypting and encrypting 8N records takes about 8×
// the time of N records, not 64× (which concatenation in a loop would give). One run, a ratio,
// a generous bound; no absolute timings. Records of ~1 KiB make copying, not the per-record
// WebCrypto overhead, the part that a quadratic implementation would blow up.
import { describe, expect, it } from 'vitest'
import { decrypt, decryptAesgcm, encrypt, encryptAesgcm } from '../src/index.js'
import { bytes } from './helpers.js'

const key = bytes(16, 12)
const N = 120

async function fastest(run: () => Promise<unknown>, times = 5): Promise<number> {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < times; i += 1) {
    const start = performance.now()
    await run()
    best = Math.min(best, performance.now() - start)
  }
  return best
}

describe('time is linear in the number of records', () => {
  it('aes128gcm decrypt and encrypt', async () => {
    const rs = 1024 // 1007 content octets per record
    const small = bytes(N * 1007, 1)
    const large = bytes(8 * N * 1007, 2)
    const smallBody = await encrypt(small, { key, recordSize: rs })
    const largeBody = await encrypt(large, { key, recordSize: rs })
    await decrypt(smallBody, { key }) // warm-up
    const decryptRatio =
      (await fastest(() => decrypt(largeBody, { key }))) /
      (await fastest(() => decrypt(smallBody, { key })))
    const encryptRatio =
      (await fastest(() => encrypt(large, { key, recordSize: rs }))) /
      (await fastest(() => encrypt(small, { key, recordSize: rs })))
    expect(decryptRatio).toBeLessThan(24)
    expect(encryptRatio).toBeLessThan(24)
  })

  it('aesgcm decrypt', async () => {
    const rs = 1024
    const small = await encryptAesgcm(bytes(N * 1022, 3), { key, recordSize: rs })
    const large = await encryptAesgcm(bytes(8 * N * 1022, 4), { key, recordSize: rs })
    const open = (m: typeof small) => () =>
      decryptAesgcm(m.body, { key, salt: m.salt, recordSize: rs })
    await open(small)()
    const ratio = (await fastest(open(large))) / (await fastest(open(small)))
    expect(ratio).toBeLessThan(24)
  })

  it('a large record of zeros (delimiter search) and long header fields stay linear', async () => {
    // Mostly padding: the delimiter scan walks back over every zero octet once.
    const smallBody = await encrypt(bytes(1), { key, recordSize: 300_000, padding: 20_000 })
    const largeBody = await encrypt(bytes(1), { key, recordSize: 300_000, padding: 160_000 })
    await decrypt(smallBody, { key })
    const ratio =
      (await fastest(() => decrypt(largeBody, { key }))) /
      (await fastest(() => decrypt(smallBody, { key })))
    expect(ratio).toBeLessThan(24)
  })
})
