// Complexity check (noble's slow-dos idea): decrypting and encrypting 16N records takes about 16×
// the time of N records, not 256× (which concatenation in a loop would give). One run, a ratio,
// a generous bound (the geometric middle between linear and quadratic, 64 for 16×, 24→32 for
// 8×); no absolute timings. The two sizes are timed alternately and the fastest run of each
// counts, so load from other processes on a shared machine hits both alike. Records of ~1 KiB make copying, not the per-record
// WebCrypto overhead, the part that a quadratic implementation would blow up.
import { describe, expect, it } from 'vitest'
import { decrypt, decryptAesgcm, encrypt, encryptAesgcm } from '../src/index.js'
import { bytes } from './helpers.js'

const key = bytes(16, 12)
const N = 120

/** The ratio of the fastest `large` run to the fastest `small` run, timed alternately. */
async function ratioOf(
  large: () => Promise<unknown>,
  small: () => Promise<unknown>,
  times = 7,
): Promise<number> {
  let bestLarge = Number.POSITIVE_INFINITY
  let bestSmall = Number.POSITIVE_INFINITY
  for (let i = 0; i < times; i += 1) {
    let start = performance.now()
    await small()
    bestSmall = Math.min(bestSmall, performance.now() - start)
    start = performance.now()
    await large()
    bestLarge = Math.min(bestLarge, performance.now() - start)
  }
  return bestLarge / bestSmall
}

describe('time is linear in the number of records', () => {
  it('aes128gcm decrypt and encrypt', async () => {
    const rs = 1024 // 1007 content octets per record
    const small = bytes(N * 1007, 1)
    const large = bytes(16 * N * 1007, 2)
    const smallBody = await encrypt(small, { key, recordSize: rs })
    const largeBody = await encrypt(large, { key, recordSize: rs })
    await decrypt(smallBody, { key }) // warm-up
    const decryptRatio = await ratioOf(
      () => decrypt(largeBody, { key }),
      () => decrypt(smallBody, { key }),
    )
    const encryptRatio = await ratioOf(
      () => encrypt(large, { key, recordSize: rs }),
      () => encrypt(small, { key, recordSize: rs }),
    )
    expect(decryptRatio).toBeLessThan(64)
    expect(encryptRatio).toBeLessThan(64)
  })

  it('aesgcm decrypt', async () => {
    const rs = 1024
    const small = await encryptAesgcm(bytes(N * 1022, 3), { key, recordSize: rs })
    const large = await encryptAesgcm(bytes(16 * N * 1022, 4), { key, recordSize: rs })
    const open = (m: typeof small) => () =>
      decryptAesgcm(m.body, { key, salt: m.salt, recordSize: rs })
    await open(small)()
    const ratio = await ratioOf(open(large), open(small))
    expect(ratio).toBeLessThan(64)
  })

  it('a large record of zeros (delimiter search) and long header fields stay linear', async () => {
    // Mostly padding: the delimiter scan walks back over every zero octet once.
    const smallBody = await encrypt(bytes(1), { key, recordSize: 300_000, padding: 20_000 })
    const largeBody = await encrypt(bytes(1), { key, recordSize: 300_000, padding: 160_000 })
    await decrypt(smallBody, { key })
    const ratio = await ratioOf(
      () => decrypt(largeBody, { key }),
      () => decrypt(smallBody, { key }),
    )
    expect(ratio).toBeLessThan(32) // 8×: linear 8, quadratic 64
  })
})
