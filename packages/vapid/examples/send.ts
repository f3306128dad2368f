// Sender side: import the key once, then build the VAPID headers for each push message. The token
// cache signs once per push service (and key) and reuses the token for hours.
import {
  audienceFromEndpoint,
  createVapidAuthorization,
  importVapidKeys,
  VapidTokenCache,
} from '@pushcraft/vapid'

// Any format: web-push's raw base64url, PEM (PKCS #8 or SEC 1), DER base64, JWK.
const keys = await importVapidKeys(
  'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw', // RFC 8291 Appendix A test key: use your own
)
const cache = new VapidTokenCache()

// The browser subscribes with this key: pushManager.subscribe({ applicationServerKey, … })
export const applicationServerKey = keys.applicationServerKey

export async function vapidHeaders(endpoint: string): Promise<Record<string, string>> {
  const vapid = await createVapidAuthorization({
    keys,
    audience: audienceFromEndpoint(endpoint),
    subject: 'mailto:push@example.com',
    cache,
  })
  return { ...vapid.headers } // { authorization: 'vapid t=…, k=…' }
}
