#!/usr/bin/env node
// Generates test/vectors/negative.json and test/vectors/interop-http_ece.json. Runs by hand only
// (`node scripts/gen-vectors.mjs`); the output is committed and the tests never run this.
//
// Negative vectors are built with an independent node:crypto implementation of both codings, so
// that malformed plaintexts (bad delimiters, non-zero padding) are correctly authenticated and a
// decoder can only reject them after authentication, for the reason each one names.
// Interop vectors are produced by http_ece 1.2.1 (Martin Thomson's reference implementation).
import { createCipheriv, createECDH, createHash, hkdfSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const ece = createRequire(import.meta.url)('http_ece')
const b64u = (bytes) => Buffer.from(bytes).toString('base64url')
const seed = (label, length) => createHash('sha256').update(label).digest().subarray(0, length)

const KEY = seed('pushcraft ece negative vectors: key', 16)
const OTHER_KEY = seed('pushcraft ece negative vectors: other key', 16)
const SALT = seed('pushcraft ece negative vectors: salt', 16)

function keys(coding, ikm, salt, context = Buffer.alloc(0)) {
  const cekInfo = Buffer.concat([Buffer.from(`Content-Encoding: ${coding}\0`), context])
  const nonceInfo = Buffer.concat([Buffer.from('Content-Encoding: nonce\0'), context])
  return {
    key: Buffer.from(hkdfSync('sha256', ikm, salt, cekInfo, 16)),
    nonce: Buffer.from(hkdfSync('sha256', ikm, salt, nonceInfo, 12)),
  }
}

function seal(k, seq, plaintext) {
  const iv = Buffer.from(k.nonce)
  iv.writeUInt32BE((iv.readUInt32BE(8) ^ seq) >>> 0, 8) // seq < 2^32 here
  const cipher = createCipheriv('aes-128-gcm', k.key, iv)
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

function header(salt, rs, keyid = Buffer.alloc(0), idlen = keyid.length) {
  const h = Buffer.alloc(21)
  salt.copy(h, 0)
  h.writeUInt32BE(rs, 16)
  h[20] = idlen
  return Buffer.concat([h, keyid])
}

/** aes128gcm body from explicit record plaintexts (delimiters and padding included). */
function aes128gcm(records, { rs = 4096, key = KEY, salt = SALT } = {}) {
  const k = keys('aes128gcm', key, salt)
  return Buffer.concat([header(salt, rs), ...records.map((r, i) => seal(k, i, Buffer.from(r)))])
}

/** aesgcm body from explicit record plaintexts (padding length and padding included). */
function aesgcm(records, { key = KEY, salt = SALT, context } = {}) {
  const k = keys('aesgcm', key, salt, context)
  return Buffer.concat(records.map((r, i) => seal(k, i, Buffer.from(r))))
}

const text = (s) => [...Buffer.from(s)]
const vectors = []
const add = (id, title, coding, input, code) =>
  vectors.push({ id, title, coding, input, expect: { code } })
const a128 = (body, extra = {}) => ({ body: b64u(body), key: b64u(KEY), ...extra })

// ---- aes128gcm (RFC 8188) ----
const rs64 = 64 // capacity 47 octets per record
const full = (delimiter) => [...Buffer.alloc(47, 0x61), delimiter]
const valid1 = aes128gcm([[...text('hello'), 2]])
const valid3 = aes128gcm([full(1), full(1), [...text('end'), 2]], { rs: rs64 })

add(
  'a128-empty-body',
  'empty body: no header',
  'aes128gcm',
  a128(Buffer.alloc(0)),
  'ERR_ECE_INVALID_HEADER',
)
add(
  'a128-header-truncated',
  'body of 20 octets, header needs 21',
  'aes128gcm',
  a128(valid1.subarray(0, 20)),
  'ERR_ECE_INVALID_HEADER',
)
add(
  'a128-idlen-past-body',
  'idlen 255 but only 10 keyid octets follow',
  'aes128gcm',
  a128(header(SALT, 4096, Buffer.alloc(10, 0x6b), 255)),
  'ERR_ECE_INVALID_HEADER',
)
add(
  'a128-rs-17',
  'rs 17: below the minimum of 18 (RFC 8188 §2.1)',
  'aes128gcm',
  a128(Buffer.concat([header(SALT, 17), valid1.subarray(21)])),
  'ERR_ECE_INVALID_RECORD_SIZE',
)
add(
  'a128-rs-0',
  'rs 0',
  'aes128gcm',
  a128(Buffer.concat([header(SALT, 0), valid1.subarray(21)])),
  'ERR_ECE_INVALID_RECORD_SIZE',
)
add(
  'a128-no-records',
  'a header and nothing after it',
  'aes128gcm',
  a128(header(SALT, 4096)),
  'ERR_ECE_TRUNCATED',
)
add(
  'a128-last-record-16-octets',
  'full record followed by 16 octets: too short for tag + delimiter',
  'aes128gcm',
  a128(Buffer.concat([valid3.subarray(0, 21 + 64), Buffer.alloc(16, 1)])),
  'ERR_ECE_INVALID_RECORD',
)
add(
  'a128-only-record-5-octets',
  'single record of 5 octets',
  'aes128gcm',
  a128(Buffer.concat([header(SALT, 4096), Buffer.alloc(5)])),
  'ERR_ECE_INVALID_RECORD',
)
{
  const b = Buffer.from(valid1)
  b[21] ^= 1
  add(
    'a128-ciphertext-flipped',
    'one ciphertext bit flipped',
    'aes128gcm',
    a128(b),
    'ERR_ECE_DECRYPTION_FAILED',
  )
}
{
  const b = Buffer.from(valid1)
  b[b.length - 1] ^= 0x80
  add('a128-tag-flipped', 'one tag bit flipped', 'aes128gcm', a128(b), 'ERR_ECE_DECRYPTION_FAILED')
}
{
  const b = Buffer.from(valid1)
  b[0] ^= 1
  add(
    'a128-salt-flipped',
    'one salt bit flipped (header is bound through the key schedule)',
    'aes128gcm',
    a128(b),
    'ERR_ECE_DECRYPTION_FAILED',
  )
}
add(
  'a128-wrong-key',
  'encrypted under another key',
  'aes128gcm',
  a128(aes128gcm([[...text('hello'), 2]], { key: OTHER_KEY })),
  'ERR_ECE_DECRYPTION_FAILED',
)
add(
  'a128-records-swapped',
  'records 0 and 1 swapped (nonces bind the order)',
  'aes128gcm',
  a128(
    Buffer.concat([
      valid3.subarray(0, 21),
      valid3.subarray(85, 149),
      valid3.subarray(21, 85),
      valid3.subarray(149),
    ]),
  ),
  'ERR_ECE_DECRYPTION_FAILED',
)
add(
  'a128-rs-changed',
  'rs in the header changed from 64 to 65',
  'aes128gcm',
  a128(Buffer.concat([header(SALT, 65), valid3.subarray(21)])),
  'ERR_ECE_DECRYPTION_FAILED',
)
add(
  'a128-trailing-octets',
  'five octets appended after a short final record',
  'aes128gcm',
  a128(Buffer.concat([valid1, Buffer.alloc(5)])),
  'ERR_ECE_DECRYPTION_FAILED',
)
add(
  'a128-final-record-missing',
  'three-record message without its final record',
  'aes128gcm',
  a128(valid3.subarray(0, 21 + 128)),
  'ERR_ECE_TRUNCATED',
)
add(
  'a128-single-record-delimiter-1',
  'only record uses the non-final delimiter 0x01',
  'aes128gcm',
  a128(aes128gcm([[...text('hello'), 1, 0, 0]])),
  'ERR_ECE_TRUNCATED',
)
add(
  'a128-no-delimiter',
  'record plaintext is all zero',
  'aes128gcm',
  a128(aes128gcm([[0, 0, 0, 0]])),
  'ERR_ECE_INVALID_PADDING',
)
add(
  'a128-last-delimiter-3',
  'last record delimiter 0x03',
  'aes128gcm',
  a128(aes128gcm([[...text('hello'), 3]])),
  'ERR_ECE_INVALID_PADDING',
)
add(
  'a128-nonzero-padding',
  'a non-zero octet after the delimiter',
  'aes128gcm',
  a128(aes128gcm([[...text('hello'), 2, 0, 7, 0, 0]])),
  'ERR_ECE_INVALID_PADDING',
)
add(
  'a128-final-delimiter-not-last',
  'record 0 carries the final delimiter 0x02 and another record follows',
  'aes128gcm',
  a128(aes128gcm([full(2), [...text('extra'), 2]], { rs: rs64 })),
  'ERR_ECE_INVALID_PADDING',
)
add(
  'a128-middle-delimiter-3',
  'record 0 delimiter 0x03',
  'aes128gcm',
  a128(aes128gcm([full(3), [...text('end'), 2]], { rs: rs64 })),
  'ERR_ECE_INVALID_PADDING',
)
add(
  'a128-max-plaintext-size',
  'a valid body that can hold more than maxPlaintextSize',
  'aes128gcm',
  a128(valid3, { maxPlaintextSize: 50 }),
  'ERR_ECE_PLAINTEXT_TOO_LARGE',
)

// ---- aesgcm (draft-ietf-httpbis-encryption-encoding-03) ----
const ag = (body, extra = {}) => ({
  body: b64u(body),
  key: b64u(KEY),
  salt: b64u(SALT),
  rs: 10,
  ...extra,
})
const agValid = aesgcm([
  [0, 0, ...text('abcdefgh')],
  [0, 0, ...text('ij')],
])
add('ag-empty-body', 'no records at all', 'aesgcm', ag(Buffer.alloc(0)), 'ERR_ECE_TRUNCATED')
add(
  'ag-final-record-full-size',
  'single record of exactly rs plaintext octets (draft-03 §2)',
  'aesgcm',
  ag(aesgcm([[0, 0, ...text('abcdefgh')]])),
  'ERR_ECE_TRUNCATED',
)
add(
  'ag-final-record-missing',
  'two full records, the short final record dropped',
  'aesgcm',
  ag(
    aesgcm([
      [0, 0, ...text('abcdefgh')],
      [0, 0, ...text('ijklmnop')],
      [0, 0],
    ]).subarray(0, 52),
  ),
  'ERR_ECE_TRUNCATED',
)
add(
  'ag-last-record-17-octets',
  'full record followed by 17 octets: too short for tag + padding length',
  'aesgcm',
  ag(Buffer.concat([agValid.subarray(0, 26), Buffer.alloc(17, 1)])),
  'ERR_ECE_INVALID_RECORD',
)
{
  const b = Buffer.from(agValid)
  b[30] ^= 4
  add(
    'ag-ciphertext-flipped',
    'one ciphertext bit flipped in record 1',
    'aesgcm',
    ag(b),
    'ERR_ECE_DECRYPTION_FAILED',
  )
}
add(
  'ag-wrong-key',
  'encrypted under another key',
  'aesgcm',
  ag(aesgcm([[0, 0, 1]], { key: OTHER_KEY })),
  'ERR_ECE_DECRYPTION_FAILED',
)
add(
  'ag-rs-changed',
  'rs 11 instead of 10',
  'aesgcm',
  ag(agValid, { rs: 11 }),
  'ERR_ECE_DECRYPTION_FAILED',
)
add(
  'ag-padding-length-past-record',
  'padding length 9 in a record of 5 plaintext octets',
  'aesgcm',
  ag(aesgcm([[0, 9, 0, 0, 0]])),
  'ERR_ECE_INVALID_PADDING',
)
add(
  'ag-padding-length-0xffff',
  'padding length 65535 (huge declared size)',
  'aesgcm',
  ag(aesgcm([[0xff, 0xff, 0, 0]])),
  'ERR_ECE_INVALID_PADDING',
)
add(
  'ag-nonzero-padding',
  'padding octets 00 01',
  'aesgcm',
  ag(aesgcm([[0, 2, 0, 1, ...text('x')]])),
  'ERR_ECE_INVALID_PADDING',
)
add(
  'ag-nonzero-padding-record-0',
  'non-zero padding in a non-final record',
  'aesgcm',
  ag(
    aesgcm([
      [0, 1, 5, ...text('abcdefg')],
      [0, 0, 1],
    ]),
  ),
  'ERR_ECE_INVALID_PADDING',
)
add(
  'ag-salt-15-octets',
  'salt of 15 octets',
  'aesgcm',
  ag(agValid, { salt: b64u(SALT.subarray(0, 15)) }),
  'ERR_ECE_INVALID_HEADER',
)
add(
  'ag-rs-2',
  'rs 2: no room for content',
  'aesgcm',
  ag(agValid, { rs: 2 }),
  'ERR_ECE_INVALID_RECORD_SIZE',
)
add('ag-rs-0', 'rs 0', 'aesgcm', ag(agValid, { rs: 0 }), 'ERR_ECE_INVALID_RECORD_SIZE')
add(
  'ag-rs-2-pow-32',
  'rs 2^32',
  'aesgcm',
  ag(agValid, { rs: 2 ** 32 }),
  'ERR_ECE_INVALID_RECORD_SIZE',
)
add(
  'ag-max-plaintext-size',
  'a valid body that can hold more than maxPlaintextSize',
  'aesgcm',
  ag(agValid, { maxPlaintextSize: 9 }),
  'ERR_ECE_PLAINTEXT_TOO_LARGE',
)
{
  const receiver = createECDH('prime256v1')
  receiver.setPrivateKey(seed('pushcraft ece negative vectors: receiver', 32))
  const sender = Buffer.from(receiver.getPublicKey())
  sender[64] ^= 1 // off the curve
  add(
    'ag-dh-not-on-curve',
    'sender public key is not a P-256 point',
    'aesgcm',
    ag(agValid, {
      authSecret: b64u(seed('auth', 16)),
      dh: { receiverPublicKey: b64u(receiver.getPublicKey()), senderPublicKey: b64u(sender) },
    }),
    'ERR_ECE_INVALID_KEY',
  )
}

// ---- aesgcm header fields ----
const salt = b64u(SALT)
const dhKey = (() => {
  const e = createECDH('prime256v1')
  e.setPrivateKey(seed('pushcraft ece negative vectors: sender', 32))
  return b64u(e.getPublicKey())
})()
const headers = (id, title, input, code) => add(id, title, 'aesgcm-headers', input, code)
headers('h-missing', 'no Encryption field', { encryption: null }, 'ERR_ECE_INVALID_HEADER')
headers('h-empty', 'empty Encryption field', { encryption: ' ' }, 'ERR_ECE_INVALID_HEADER')
headers('h-no-salt', 'no salt', { encryption: 'rs=4096' }, 'ERR_ECE_INVALID_HEADER')
headers(
  'h-salt-base64',
  'salt in standard base64 (+ and /)',
  { encryption: 'salt=+/+/+/+/+/+/+/+/+/+/+/' },
  'ERR_ECE_INVALID_HEADER',
)
headers(
  'h-salt-15',
  'salt of 15 octets',
  { encryption: `salt=${b64u(SALT.subarray(0, 15))}` },
  'ERR_ECE_INVALID_HEADER',
)
headers(
  'h-two-codings',
  'two comma-separated codings (nesting)',
  { encryption: `salt=${salt}, salt=${salt}` },
  'ERR_ECE_INVALID_HEADER',
)
headers(
  'h-repeated-param',
  'salt given twice',
  { encryption: `salt=${salt}; salt=${salt}` },
  'ERR_ECE_INVALID_HEADER',
)
headers(
  'h-param-without-value',
  'parameter without "="',
  { encryption: `salt=${salt}; rs` },
  'ERR_ECE_INVALID_HEADER',
)
headers(
  'h-unterminated-quote',
  'unterminated quoted string',
  { encryption: `salt="${salt}` },
  'ERR_ECE_INVALID_HEADER',
)
headers(
  'h-rs-not-decimal',
  'rs=0x10',
  { encryption: `salt=${salt}; rs=0x10` },
  'ERR_ECE_INVALID_HEADER',
)
headers('h-rs-negative', 'rs=-5', { encryption: `salt=${salt}; rs=-5` }, 'ERR_ECE_INVALID_HEADER')
headers('h-rs-2', 'rs=2', { encryption: `salt=${salt}; rs=2` }, 'ERR_ECE_INVALID_RECORD_SIZE')
headers(
  'h-rs-huge',
  'rs=99999999999999999999',
  { encryption: `salt=${salt}; rs=99999999999999999999` },
  'ERR_ECE_INVALID_RECORD_SIZE',
)
headers(
  'h-dh-64-octets',
  'dh of 64 octets',
  { encryption: `salt=${salt}`, cryptoKey: `dh=${b64u(Buffer.alloc(64, 4))}` },
  'ERR_ECE_INVALID_KEY',
)
headers(
  'h-dh-off-curve',
  'dh not on the curve',
  {
    encryption: `salt=${salt}`,
    cryptoKey: `dh=${b64u(Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]))}`,
  },
  'ERR_ECE_INVALID_KEY',
)
headers(
  'h-dh-not-base64url',
  'dh with invalid characters',
  { encryption: `salt=${salt}`, cryptoKey: 'dh=BA*A' },
  'ERR_ECE_INVALID_HEADER',
)
headers(
  'h-two-dh-same-keyid',
  'two dh for the same keyid',
  {
    encryption: `keyid=a; salt=${salt}`,
    cryptoKey: `keyid=a; dh=${dhKey}, keyid=a; dh=${dhKey}`,
  },
  'ERR_ECE_INVALID_HEADER',
)
headers(
  'h-garbage-separator',
  'junk after a quoted value',
  { encryption: `salt="${salt}"x` },
  'ERR_ECE_INVALID_HEADER',
)

const date = new Date().toISOString().slice(0, 10)
writeFileSync(
  new URL('../test/vectors/negative.json', import.meta.url),
  JSON.stringify(
    {
      source: `generated by packages/ece/scripts/gen-vectors.mjs (node:crypto reference coder) on ${date}`,
      conventions: {
        binary: 'base64url, unpadded',
        coding:
          'aes128gcm: decrypt(body, { key, maxPlaintextSize }); aesgcm: decryptAesgcm(body, { key, salt, recordSize: rs, authSecret, dh, maxPlaintextSize }); aesgcm-headers: parseAesgcmHeaders(input)',
        expect: 'the EceError code the input must be rejected with',
      },
      vectors,
    },
    null,
    2,
  ) + '\n',
)

// ---- interop: bodies produced by http_ece 1.2.1 ----
const interop = []
const INTEROP_KEY = seed('pushcraft ece interop: key', 16)
const cases = [
  ['aes128gcm', 0, 4096, 0, ''],
  ['aes128gcm', 15, 4096, 0, 'a1'],
  ['aes128gcm', 15, 25, 1, 'a1'],
  ['aes128gcm', 100, 18, 0, ''],
  ['aes128gcm', 200, 40, 10, 'key-1'],
  ['aes128gcm', 200, 40, 60, ''],
  ['aes128gcm', 1000, 100, 82, ''],
  ['aes128gcm', 3000, 4096, 900, ''],
  ['aesgcm', 0, 4096, 0],
  ['aesgcm', 15, 10, 1],
  ['aesgcm', 16, 10, 0],
  ['aesgcm', 17, 3, 0],
  ['aesgcm', 200, 50, 20],
  ['aesgcm', 200, 50, 100],
  ['aesgcm', 3000, 4096, 1000],
]
for (const [index, [coding, length, rs, pad, keyid]] of cases.entries()) {
  const plaintext = seed(`pushcraft ece interop: plaintext ${index}`, 32)
  const content = Buffer.concat(
    Array.from({ length: Math.ceil(length / 32) }, () => plaintext),
  ).subarray(0, length)
  const salt = seed(`pushcraft ece interop: salt ${index}`, 16)
  const params = { version: coding, key: INTEROP_KEY, salt, rs, pad }
  if (keyid) params.keyid = keyid
  const body = ece.encrypt(content, params)
  const capacity = coding === 'aes128gcm' ? rs - 17 : rs - 2
  interop.push({
    id: `http_ece-${coding}-len${length}-rs${rs}-pad${pad}`,
    coding,
    // http_ece puts min(capacity - 1, pad) padding octets per record, this package up to capacity:
    // the same layout (and bytes) whenever the padding fits the first record with content to spare.
    sameLayout: pad < capacity || capacity === 1,
    input: {
      plaintext: b64u(content),
      key: b64u(INTEROP_KEY),
      salt: b64u(salt),
      rs,
      pad,
      ...(keyid ? { keyid } : {}),
    },
    output: { body: b64u(body) },
  })
}
{
  // Web Push draft-04: P-256 context and auth secret; the ECDH secret stands in for the key.
  const receiver = createECDH('prime256v1')
  receiver.setPrivateKey(seed('pushcraft ece interop: receiver', 32))
  const sender = createECDH('prime256v1')
  sender.setPrivateKey(seed('pushcraft ece interop: sender', 32))
  const authSecret = seed('pushcraft ece interop: auth', 16)
  for (const [length, rs, pad] of [
    [20, 4096, 0],
    [300, 100, 30],
  ]) {
    const content = Buffer.alloc(length, 0x5a)
    const salt = seed(`pushcraft ece interop: dh salt ${length}`, 16)
    const body = ece.encrypt(content, {
      version: 'aesgcm',
      privateKey: sender,
      dh: receiver.getPublicKey(),
      authSecret,
      salt,
      rs,
      pad,
    })
    interop.push({
      id: `http_ece-aesgcm-dh-len${length}-rs${rs}-pad${pad}`,
      coding: 'aesgcm',
      sameLayout: pad < rs - 2,
      input: {
        plaintext: b64u(content),
        key: b64u(sender.computeSecret(receiver.getPublicKey())),
        salt: b64u(salt),
        rs,
        pad,
        authSecret: b64u(authSecret),
        dh: {
          receiverPublicKey: b64u(receiver.getPublicKey()),
          senderPublicKey: b64u(sender.getPublicKey()),
        },
      },
      output: { body: b64u(body) },
    })
  }
}
writeFileSync(
  new URL('../test/vectors/interop-http_ece.json', import.meta.url),
  JSON.stringify(
    {
      source: `generated by packages/ece/scripts/gen-vectors.mjs from http_ece 1.2.1 (encrypt) on ${date}`,
      conventions: {
        binary: 'base64url, unpadded',
        rs: 'aes128gcm: record size including the tag; aesgcm: plaintext octets per record (tag excluded)',
        pad: 'total padding octets passed to http_ece',
        key: 'aesgcm with dh: the raw ECDH secret (sender private x receiver public); otherwise the explicit key',
        sameLayout:
          'whether this package lays out records like http_ece for this padding, so that encrypt reproduces the body',
      },
      vectors: interop,
    },
    null,
    2,
  ) + '\n',
)
console.log(
  `negative.json: ${vectors.length} vectors; interop-http_ece.json: ${interop.length} vectors`,
)
