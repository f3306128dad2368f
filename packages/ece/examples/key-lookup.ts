// Pick the key by the header's keyid, and branch on error codes.
import { decrypt, EceError, parseHeader } from '@pushcraft/ece'

const keys = new Map<string, Uint8Array>([['key-2025', new Uint8Array(16)]])

export async function open(body: Uint8Array): Promise<Uint8Array | undefined> {
  console.log('record size', parseHeader(body).recordSize)
  try {
    return await decrypt(body, {
      keyLookup: (keyId) => keys.get(new TextDecoder().decode(keyId)),
      maxPlaintextSize: 1 << 20,
    })
  } catch (error) {
    if (!(error instanceof EceError)) throw error // a bug: TypeError / RangeError
    // Unknown keyid, or wrong key / tampered data: drop the message.
    if (error.code === 'ERR_ECE_INVALID_KEY' || error.code === 'ERR_ECE_DECRYPTION_FAILED') {
      return undefined
    }
    throw error
  }
}
