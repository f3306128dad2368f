// The browser's side of RFC 8291, written independently of @pushcraft/webpush: ECDH with the
// receiver's private key and the sender's `keyid`, the "WebPush: info" IKM, then RFC 8188
// decryption by @pushcraft/ece. The sink uses it to check a sample of every run.

import { createECDH, hkdfSync } from 'node:crypto'

import { decrypt, decryptAesgcm, parseAesgcmHeaders, parseHeader } from '@pushcraft/ece'

const KEY_INFO = Buffer.from('WebPush: info\0')

function sharedSecret(receiver, senderPublicKey) {
  const ecdh = createECDH('prime256v1')
  ecdh.setPrivateKey(receiver.d)
  return ecdh.computeSecret(Buffer.from(senderPublicKey))
}

/**
 * Decrypts a Web Push body for `receiver` (`{ d, publicKey, auth }` Buffers) and returns the
 * plaintext as text. `headers` are the request's lower-case headers (needed for `aesgcm`).
 */
export async function decryptPush(body, headers, receiver) {
  const encoding = headers['content-encoding']
  if (encoding === 'aes128gcm') {
    // RFC 8291 §4: keyid is the sender's ephemeral public key.
    const { keyId } = parseHeader(body)
    const secret = sharedSecret(receiver, keyId)
    // RFC 8291 §3.4: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0x00 ua_public as_public).
    const info = Buffer.concat([KEY_INFO, receiver.publicKey, Buffer.from(keyId)])
    const ikm = new Uint8Array(hkdfSync('sha256', secret, receiver.auth, info, 32))
    return Buffer.from(await decrypt(body, { key: ikm })).toString('utf8')
  }
  if (encoding === 'aesgcm') {
    const params = parseAesgcmHeaders({
      encryption: headers['encryption'] ?? '',
      cryptoKey: headers['crypto-key'] ?? '',
    })
    if (params.dh === undefined) throw new Error('aesgcm message without Crypto-Key dh')
    const plaintext = await decryptAesgcm(body, {
      key: sharedSecret(receiver, params.dh),
      salt: params.salt,
      recordSize: params.recordSize,
      authSecret: receiver.auth,
      dh: { receiverPublicKey: receiver.publicKey, senderPublicKey: params.dh },
    })
    return Buffer.from(plaintext).toString('utf8')
  }
  throw new Error(`unexpected Content-Encoding ${String(encoding)}`)
}
