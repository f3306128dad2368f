// Endpoints and answers shaped like FCM, Mozilla autopush, Apple and WNS, on their real hostnames.
import { createMockPushService, serviceResponse } from '@pushcraft/testing'

const service = await createMockPushService({ emulateHostnames: true })
const fcm = await service.createSubscription({ service: 'fcm' }) // https://fcm.googleapis.com:<port>/fcm/send/…
const apple = await service.createSubscription({ service: 'apple' }) // https://web.push.apple.com:<port>/…
const wns = await service.createSubscription({ service: 'wns' }) // …notify.windows.com:<port>/w/?token=…
const mozilla = await service.createSubscription({ service: 'mozilla' }) // …/wpush/v2/…
console.log(fcm.endpoint, apple.endpoint, wns.endpoint, mozilla.endpoint)
const dispatcher = service.createDispatcher() // resolves those hostnames to the mock

// The same answers as data, e.g. for undici MockAgent replies:
const mismatch = serviceResponse('fcm', 'vapidKeyMismatch', { variant: 'current' })
console.log(mismatch.status, mismatch.body) // 403 'the VAPID credentials in the authorization header …'

await dispatcher.close()
await service.close()
