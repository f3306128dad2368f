// RFC 8188 aes128gcm: encrypt and decrypt a body with a shared key.
import { decrypt, encrypt } from '@pushcraft/ece'

const key = crypto.getRandomValues(new Uint8Array(16)) // RFC 8188 "IKM", at least 16 bytes

// Random salt, one record of up to 4096 bytes: the Web Push shape.
const body = await encrypt(new TextEncoder().encode('I am the walrus'), { key })

// Many records of 1024 bytes, 64 bytes of padding, and a key id in the header.
const large = await encrypt(new Uint8Array(10_000), {
  key,
  recordSize: 1024,
  padding: 64,
  keyId: 'key-2025',
})

const plaintext = await decrypt(body, { key, maxPlaintextSize: 4096 })
console.log(new TextDecoder().decode(plaintext), large.length)
