/**
 * SHA-256 (FIPS 180-4 §6.2) and HMAC-SHA-256 (RFC 2104, FIPS 198-1) in plain JavaScript, for the
 * short inputs of the HKDF key schedules (a few blocks per message). Typed arrays only, so it runs
 * in every runtime; synchronous, so a key schedule costs no WebCrypto round trip.
 *
 * Timing: the compression function is straight-line 32-bit arithmetic (no table look-ups indexed
 * by data, no branches on data), and the only branches anywhere depend on lengths, which are
 * public. Scratch memory is reused across calls (every call runs to completion synchronously) and
 * wiped after each use by {@link wipeScratch}.
 *
 * @module
 */

/** FIPS 180-4 §1: SHA-256 processes 512-bit blocks and outputs a 256-bit digest. */
export const BLOCK_LENGTH = 64
/** FIPS 180-4 §1: the digest is 256 bits. */
export const DIGEST_LENGTH = 32

/**
 * FIPS 180-4 §4.2.2: K0..K63, the first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes.
 */
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

/** FIPS 180-4 §5.3.3: the initial hash value H(0). */
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])

/** The message schedule W0..W63 (FIPS 180-4 §6.2.2 step 1), reused by every compression. */
const W = new Int32Array(64)

// In this file every index into K, W and the eight-word states is in range by construction (loop
// bounds are the fixed sizes of FIPS 180-4), so `!` only tells the compiler what the loops prove.
/* eslint-disable @typescript-eslint/no-non-null-assertion */

/**
 * FIPS 180-4 §6.2.2: processes the 64-octet block in `block` (read big-endian) into the chaining
 * value `state` (eight words at `at`).
 */
function compress(state: Int32Array, at: number, block: DataView): void {
  for (let t = 0; t < 16; t += 1) W[t] = block.getInt32(t * 4)
  for (let t = 16; t < 64; t += 1) {
    const w15 = W[t - 15]!
    const w2 = W[t - 2]!
    // §4.1.2 (4.6) σ0 and (4.7) σ1.
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0
  }
  let a = state[at]!
  let b = state[at + 1]!
  let c = state[at + 2]!
  let d = state[at + 3]!
  let e = state[at + 4]!
  let f = state[at + 5]!
  let g = state[at + 6]!
  let h = state[at + 7]!
  for (let t = 0; t < 64; t += 1) {
    // §4.1.2 (4.2) Ch, (4.3) Maj, (4.4) Σ0, (4.5) Σ1.
    const sigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const ch = (e & f) ^ (~e & g)
    const t1 = (h + sigma1 + ch + K[t]! + W[t]!) | 0
    const sigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const maj = (a & b) ^ (a & c) ^ (b & c)
    const t2 = (sigma0 + maj) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  state[at] = (state[at]! + a) | 0
  state[at + 1] = (state[at + 1]! + b) | 0
  state[at + 2] = (state[at + 2]! + c) | 0
  state[at + 3] = (state[at + 3]! + d) | 0
  state[at + 4] = (state[at + 4]! + e) | 0
  state[at + 5] = (state[at + 5]! + f) | 0
  state[at + 6] = (state[at + 6]! + g) | 0
  state[at + 7] = (state[at + 7]! + h) | 0
}

/**
 * A SHA-256 computation in progress (FIPS 180-4 §5.1.1 padding, §6.2 hashing): the chaining value,
 * the partial block and the message length. One instance is reused for every hash (see
 * {@link SCRATCH}).
 */
class Sha256 {
  readonly state = new Int32Array(8)
  readonly block = new Uint8Array(BLOCK_LENGTH)
  readonly blockView = new DataView(this.block.buffer)
  /** Octets in `block`. */
  filled = 0
  /** Octets hashed so far (the message length of §5.1.1). */
  length = 0

  /**
   * Starts a hash from H(0), or from the chaining value at `at` in `from` after `length` octets.
   */
  start(from: Int32Array = IV, at = 0, length = 0): void {
    const { state } = this
    for (let i = 0; i < 8; i += 1) state[i] = from[at + i]!
    this.filled = 0
    this.length = length
  }

  update(data: Uint8Array): void {
    const { block } = this
    let offset = 0
    while (offset < data.length) {
      const take = Math.min(BLOCK_LENGTH - this.filled, data.length - offset)
      block.set(
        offset === 0 && take === data.length ? data : data.subarray(offset, offset + take),
        this.filled,
      )
      this.filled += take
      offset += take
      if (this.filled === BLOCK_LENGTH) {
        compress(this.state, 0, this.blockView)
        this.filled = 0
      }
    }
    this.length += data.length
  }

  updateByte(value: number): void {
    this.block[this.filled] = value
    this.filled += 1
    this.length += 1
    if (this.filled === BLOCK_LENGTH) {
      compress(this.state, 0, this.blockView)
      this.filled = 0
    }
  }

  /**
   * FIPS 180-4 §5.1.1: appends 0x80, zeros and the 64-bit message length in bits, then writes the
   * first `length` octets of the digest (§6.2.2 step 4, big-endian words) into `out` at `offset`.
   */
  finish(out: Uint8Array, offset = 0, length: number = DIGEST_LENGTH): void {
    const { block, blockView, state } = this
    const bits = this.length * 8
    block[this.filled] = 0x80
    block.fill(0, this.filled + 1)
    if (this.filled + 1 > BLOCK_LENGTH - 8) {
      compress(state, 0, blockView)
      block.fill(0)
    }
    // Lengths stay far below 2^53 bits: the high word is exact, the low word is taken mod 2^32.
    blockView.setUint32(BLOCK_LENGTH - 8, Math.floor(bits / 0x100000000))
    blockView.setUint32(BLOCK_LENGTH - 4, bits >>> 0)
    compress(state, 0, blockView)
    this.filled = 0
    for (let i = 0; i < length; i += 1) {
      out[offset + i] = state[i >>> 2]! >>> (24 - 8 * (i & 3))
    }
  }
}

/* eslint-enable @typescript-eslint/no-non-null-assertion */

/** The one hash in use; every function of this module runs to completion before returning. */
const SCRATCH = new Sha256()

/** A digest-sized scratch buffer for the inner hash of HMAC. */
const INNER = new Uint8Array(DIGEST_LENGTH)

/**
 * Wipes the shared scratch memory (message schedule, partial block, chaining value, inner hash),
 * which held data derived from keys. Called at the end of every computation that used it.
 *
 * @internal
 */
export function wipeScratch(): void {
  W.fill(0)
  SCRATCH.block.fill(0)
  SCRATCH.state.fill(0)
  INNER.fill(0)
}

/**
 * SHA-256 of `data` (FIPS 180-4 §6.2).
 *
 * @internal
 */
export function sha256(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(DIGEST_LENGTH)
  SCRATCH.start()
  SCRATCH.update(data)
  SCRATCH.finish(out)
  wipeScratch()
  return out
}

/**
 * An HMAC-SHA-256 key, prepared once (RFC 2104 §2): words 0–7 are the chaining value after the
 * block `K XOR ipad`, words 8–15 after `K XOR opad`. Each MAC under the key then costs the message
 * blocks plus one block for the outer hash.
 *
 * @internal
 */
export type HmacKey = Int32Array<ArrayBuffer>

/**
 * Prepares `key` for HMAC-SHA-256. RFC 2104 §2: a key longer than the block is hashed first;
 * shorter keys are padded with zeros to 64 octets.
 *
 * @internal
 */
export function hmacKey(key: Uint8Array): HmacKey {
  const material = key.length > BLOCK_LENGTH ? sha256(key) : key
  const prepared = new Int32Array(16)
  const { block, blockView } = SCRATCH
  // The key is zero-padded to the block: positions past its (public) length read as 0.
  for (let i = 0; i < BLOCK_LENGTH; i += 1) block[i] = (material[i] ?? 0) ^ 0x36
  prepared.set(IV)
  compress(prepared, 0, blockView)
  for (let i = 0; i < BLOCK_LENGTH; i += 1) block[i] = (material[i] ?? 0) ^ 0x5c
  prepared.set(IV, 8)
  compress(prepared, 8, blockView)
  if (material !== key) material.fill(0)
  return prepared
}

/**
 * Starts the inner hash of an HMAC under `key`: feed the message with {@link hmacUpdate} and
 * {@link hmacUpdateByte}, then call {@link hmacFinish}.
 *
 * @internal
 */
export function hmacStart(key: HmacKey): void {
  SCRATCH.start(key, 0, BLOCK_LENGTH)
}

/**
 * Feeds message octets to the HMAC started by {@link hmacStart}.
 *
 * @internal
 */
export function hmacUpdate(data: Uint8Array): void {
  SCRATCH.update(data)
}

/**
 * Feeds one message octet to the HMAC started by {@link hmacStart}.
 *
 * @internal
 */
export function hmacUpdateByte(value: number): void {
  SCRATCH.updateByte(value)
}

/**
 * Completes the HMAC under `key` (RFC 2104 §2: H(K XOR opad, H(K XOR ipad, text))) and writes its
 * first `length` octets into `out` at `offset`.
 *
 * @internal
 */
export function hmacFinish(
  key: HmacKey,
  out: Uint8Array,
  offset = 0,
  length: number = DIGEST_LENGTH,
): void {
  SCRATCH.finish(INNER)
  SCRATCH.start(key, 8, BLOCK_LENGTH)
  SCRATCH.update(INNER)
  SCRATCH.finish(out, offset, length)
}

/**
 * HMAC-SHA-256 of `data` under `key` in one call (RFC 2104 §2).
 *
 * @internal
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const prepared = hmacKey(key)
  const out = new Uint8Array(DIGEST_LENGTH)
  hmacStart(prepared)
  hmacUpdate(data)
  hmacFinish(prepared, out)
  prepared.fill(0)
  wipeScratch()
  return out
}
