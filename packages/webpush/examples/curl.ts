// Print a request as a curl command (the body goes to a file), like pywebpush's curl mode.
import { writeFile } from 'node:fs/promises'
import { buildPushRequest, toCurl, type PushSubscriptionJSON } from '@pushcraft/webpush'

declare const subscription: PushSubscriptionJSON

const curl = toCurl(await buildPushRequest(subscription, 'Hello', { ttl: 60 }), {
  bodyFile: 'push-body.bin',
})
if (curl.body !== null) await writeFile('push-body.bin', curl.body)
console.log(curl.command)
// curl --include --request POST --header 'ttl: 60' --header 'content-encoding: aes128gcm' … --data-binary @'push-body.bin' 'https://…'
