// A layered coding on top of RFC 8188: RFC 8291 (Web Push) derives the aes128gcm IKM with the same
// synchronous HKDF-SHA-256 that ece's key schedule uses.
import { encrypt, hkdf } from '@pushcraft/ece'

declare const ecdhSecret: Uint8Array // RFC 8291 §3.1: ECDH(as_private, ua_public)
declare const authSecret: Uint8Array // RFC 8291 §3.2: the subscription's 16-byte auth secret
declare const uaPublic: Uint8Array // 65 bytes
declare const asPublic: Uint8Array // 65 bytes

// RFC 8291 §3.4: key_info = "WebPush: info" || 0x00 || ua_public || as_public
const prefix = new TextEncoder().encode('WebPush: info\0')
const keyInfo = new Uint8Array([...prefix, ...uaPublic, ...asPublic])
const ikm = hkdf({ salt: authSecret, ikm: ecdhSecret, info: keyInfo, length: 32 })

const body = await encrypt(new TextEncoder().encode('hello'), {
  key: ikm,
  keyId: asPublic,
  recordSize: 4096,
})
ikm.fill(0)
console.log(body.length)
