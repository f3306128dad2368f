// `Encryption` / `Crypto-Key` parsing (draft-ietf-httpbis-encryption-encoding-03 §3–4). Invalid
// inputs are in vectors/negative.json (coding "aesgcm-headers").
import { describe, expect, it } from 'vitest'
import { parseAesgcmHeaders } from '../src/index.js'
import { toB64u, toHex } from './helpers.js'

const salt = 'lngarbyKfMoi9Z75xYXmkg'
const dh = 'BNoRDbb84JGm8g5Z5CFxurSqsXWJ11ItfXEWYVLE85Y7CYkDjXsIEc4aqxYaQ1G8BqkXCJ6DPpDrWtdWj_mugHU'
const vapid =
  'BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs'

describe('parseAesgcmHeaders', () => {
  it('reads the web-push style (bare values, dh and p256ecdsa in one entry)', () => {
    const params = parseAesgcmHeaders({
      encryption: `salt=${salt}`,
      cryptoKey: `dh=${dh};p256ecdsa=${vapid}`,
    })
    expect(toB64u(params.salt)).toBe(salt)
    expect(params.recordSize).toBe(4096)
    expect(toB64u(params.dh!)).toBe(dh)
    expect(toB64u(params.p256ecdsa!)).toBe(vapid)
    expect(params.keyId).toBeUndefined()
    expect(params.key).toBeUndefined()
  })

  it('reads quoted values, whitespace and case-insensitive names', () => {
    const params = parseAesgcmHeaders({
      encryption: ` SALT = "${salt}" ;  Rs=10 `,
      cryptoKey: `DH="${dh}"`,
    })
    expect(toB64u(params.salt)).toBe(salt)
    expect(params.recordSize).toBe(10)
    expect(toB64u(params.dh!)).toBe(dh)
  })

  it('picks the Crypto-Key entry of the Encryption keyid; p256ecdsa from any entry', () => {
    const params = parseAesgcmHeaders({
      encryption: `keyid=p256dh;salt=${salt}`,
      cryptoKey: `keyid=other;dh=BAAA, keyid=p256dh;dh=${dh}, keyid=p256ecdsa;p256ecdsa=${vapid}`,
    })
    expect(params.keyId).toBe('p256dh')
    expect(toB64u(params.dh!)).toBe(dh)
    expect(toB64u(params.p256ecdsa!)).toBe(vapid)
  })

  it('ignores a dh whose keyid does not match', () => {
    const params = parseAesgcmHeaders({ encryption: `keyid=a;salt=${salt}`, cryptoKey: `dh=${dh}` })
    expect(params.dh).toBeUndefined()
  })

  it('reads an explicit aesgcm key', () => {
    const params = parseAesgcmHeaders({
      encryption: `keyid="a1"; salt="${salt}"`,
      cryptoKey: 'keyid="a1"; aesgcm="csPJEXBYA5U-Tal9EdJi-w"',
    })
    expect(toHex(params.key!)).toBe('72c3c911705803953e4da97d11d262fb')
  })

  it('tolerates base64 padding, empty list elements and a missing or null Crypto-Key', () => {
    expect(toB64u(parseAesgcmHeaders({ encryption: `;salt=${salt}==;` }).salt)).toBe(salt)
    expect(parseAesgcmHeaders({ encryption: `salt=${salt}`, cryptoKey: null }).dh).toBeUndefined()
    expect(parseAesgcmHeaders({ encryption: `salt=${salt}`, cryptoKey: ', ,' }).dh).toBeUndefined()
  })

  it('unescapes quoted-pair in quoted strings', () => {
    expect(parseAesgcmHeaders({ encryption: `keyid="a\\"b"; salt=${salt}` }).keyId).toBe('a"b')
  })

  it('accepts rs from 3 to 2^32 − 1', () => {
    expect(parseAesgcmHeaders({ encryption: `salt=${salt};rs=3` }).recordSize).toBe(3)
    expect(parseAesgcmHeaders({ encryption: `salt=${salt};rs=4294967295` }).recordSize).toBe(
      4294967295,
    )
    expect(parseAesgcmHeaders({ encryption: `salt=${salt};rs=0010` }).recordSize).toBe(10)
  })

  it('throws TypeError for non-string fields', () => {
    expect(() => parseAesgcmHeaders({ encryption: 5 as never })).toThrow(TypeError)
    expect(() => parseAesgcmHeaders(null as never)).toThrow(TypeError)
  })
})
