// Test your sending code without a network: inject undici's MockAgent as the dispatcher.
import { MockAgent } from 'undici'
import { PushClient, type PushSubscriptionJSON } from '@pushcraft/webpush'

declare const subscription: PushSubscriptionJSON // endpoint https://push.example.net/sub/1

const agent = new MockAgent()
agent.disableNetConnect()
agent
  .get('https://push.example.net')
  .intercept({ path: '/sub/1', method: 'POST' })
  .reply(410, 'push subscription has unsubscribed or expired.')

const client = new PushClient({ dispatcher: agent })
await client.send(subscription, 'hi').catch((error: unknown) => {
  console.log(error) // PushServiceError { kind: 'gone', isGone: true, statusCode: 410, … }
})
agent.assertNoPendingInterceptors()
await agent.close()
