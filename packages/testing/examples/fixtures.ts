// The RFC vectors as data: decrypt RFC 8291 Appendix A with the receiver's keys.
import { decryptPushMessage, importUserAgentKeys } from '@pushcraft/testing'
import { rfc8291Example, webPushVector, webPushVectorSet } from '@pushcraft/testing/fixtures'

const keys = await importUserAgentKeys(rfc8291Example.receiver)
const plaintext = await decryptPushMessage(rfc8291Example.body, rfc8291Example.headers, keys)
console.log(new TextDecoder().decode(plaintext)) // "When I grow up, I want to be a watermelon"

console.log(webPushVectorSet.vectors.length) // 17, each with its source
console.log(webPushVector('rfc8291-appendix-a').source.url)
