/**
 * `@pushcraft/testing`: a push service for tests. A strict mock push service that verifies VAPID
 * (RFC 8292) and decrypts (RFC 8291, legacy `aesgcm`), scripted and service-faithful error
 * answers (FCM, Mozilla autopush, Apple, WNS), and a local push server speaking the Mozilla Web
 * Push WebSocket protocol so a real Firefox can subscribe and receive pushes offline. The RFC
 * vectors live in the `@pushcraft/testing/fixtures` subpath.
 *
 * @module
 */

export { createMockPushService } from './mock-push-service.js'
export type {
  BehaviourHandle,
  BehaviourMatcher,
  CreateSubscriptionOptions,
  MockPushRequest,
  MockPushService,
  MockPushServiceOptions,
  MockPushServiceStats,
  PushContentEncoding,
  PushSubscriptionJSON,
  ReceivedPushMessage,
  RejectedPushRequest,
} from './mock-push-service.js'
export { createLocalPushServer } from './local-push-server.js'
export type {
  LocalPushDelivery,
  LocalPushRegistration,
  LocalPushServer,
  LocalPushServerOptions,
} from './local-push-server.js'
export { delay, gone, rateLimited, respond, serverError, serviceAnswer } from './behaviours.js'
export type { Behaviour } from './behaviours.js'
export { serviceResponse, serviceSuccessResponse } from './services.js'
export type {
  MockResponse,
  PushRejectionReason,
  PushServiceName,
  ServiceResponseOptions,
} from './services.js'
export { decryptPushMessage, generateUserAgentKeys, importUserAgentKeys } from './receiver.js'
export type { PushMessageHeaders, UserAgentKeys } from './receiver.js'
export type { Urgency, VapidClaims, VerifiedVapid } from './verify.js'
export { createSelfSignedCertificate } from './certificate.js'
export type { SelfSignedCertificate, SelfSignedCertificateOptions } from './certificate.js'
export { PushTestingError } from './errors.js'
export type { PushTestingErrorCode } from './errors.js'
