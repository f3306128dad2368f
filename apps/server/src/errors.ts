/**
 * The server's error types: {@link StartupError} for anything that stops the process from starting
 * (configuration, data directory, database), and {@link ApiError} for the HTTP answers of the
 * routes. Both carry a stable `code`; messages never contain keys, tokens or endpoints.
 *
 * @module
 */

/**
 * The stable codes of {@link StartupError}.
 *
 * - `ERR_CONFIG_INVALID`: one or more environment variables are malformed (see `issues`).
 * - `ERR_CONFIG_ENV_FILE`: the `--env-file` given cannot be read.
 * - `ERR_DATA_DIR`: the data directory (keys, token, SQLite file) cannot be created or written.
 * - `ERR_VAPID_KEY`: the VAPID key given (or persisted) cannot be imported.
 * - `ERR_DATABASE_URL`: `DATABASE_URL` is not a `sqlite:` or `postgres:` URL.
 * - `ERR_DATABASE_UNAVAILABLE`: the database cannot be opened or reached.
 * - `ERR_DATABASE_MIGRATION`: the schema migration failed.
 * - `ERR_REDIS_UNAVAILABLE`: queue mode, and Redis (`REDIS_URL`) cannot be reached.
 *
 * @example
 *
 * ```ts
 * import type { StartupErrorCode } from './errors.js'
 * const code: StartupErrorCode = 'ERR_DATABASE_URL'
 * ```
 */
export type StartupErrorCode =
  | 'ERR_CONFIG_INVALID'
  | 'ERR_CONFIG_ENV_FILE'
  | 'ERR_DATA_DIR'
  | 'ERR_VAPID_KEY'
  | 'ERR_DATABASE_URL'
  | 'ERR_DATABASE_UNAVAILABLE'
  | 'ERR_DATABASE_MIGRATION'
  | 'ERR_REDIS_UNAVAILABLE'

/**
 * One problem with one configuration variable.
 *
 * @example
 *
 * ```ts
 * import type { ConfigIssue } from './errors.js'
 * const issue: ConfigIssue = { variable: 'PORT', message: 'must be an integer 0-65535, got "http"' }
 * ```
 */
export interface ConfigIssue {
  /** The environment variable at fault (`PORT`, `VAPID_PRIVATE`, …). */
  readonly variable: string
  /** What is wrong, without the secret value itself. */
  readonly message: string
}

/**
 * Thrown while starting: the process prints `message` (one line per issue) and exits non-zero.
 *
 * @example
 *
 * ```ts
 * import { StartupError } from './errors.js'
 * throw new StartupError('ERR_DATABASE_URL', 'DATABASE_URL: unsupported scheme "mysql:"')
 * ```
 */
export class StartupError extends Error {
  /** The stable code to branch on. */
  readonly code: StartupErrorCode
  /** For `ERR_CONFIG_INVALID`: every variable at fault. */
  readonly issues: readonly ConfigIssue[]

  /**
   * @param code - The stable code.
   * @param message - A message that names the variable or resource, never a secret.
   * @param options - The underlying `cause` and the config `issues`.
   */
  constructor(
    code: StartupErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: readonly ConfigIssue[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'StartupError'
    this.code = code
    this.issues = options?.issues ?? []
  }
}

/**
 * The stable `code`s of the API's error answers (the `code` field of every 4xx/5xx body).
 *
 * @example
 *
 * ```ts
 * import type { ApiErrorCode } from './errors.js'
 * const code: ApiErrorCode = 'ERR_NO_SUBSCRIBERS'
 * ```
 */
export type ApiErrorCode =
  | 'ERR_VALIDATION'
  | 'ERR_INVALID_JSON'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_NOT_FOUND'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_RATE_LIMITED'
  | 'ERR_INVALID_SUBSCRIPTION'
  | 'ERR_ENDPOINT_NOT_ALLOWED'
  | 'ERR_VAPID_KEY_MISMATCH'
  | 'ERR_NO_SUBSCRIBERS'
  | 'ERR_PAYLOAD_TOO_LARGE'
  | 'ERR_SHUTTING_DOWN'
  | 'ERR_INTERNAL'

/**
 * An error answer of the API. The error handler turns it into
 * `{ statusCode, error, code, message, detail }` (`detail` is the FastAPI-compatible copy of
 * `message`).
 *
 * @example
 *
 * ```ts
 * import { ApiError } from './errors.js'
 * throw new ApiError(400, 'ERR_NO_SUBSCRIBERS', 'No subscribers yet')
 * ```
 */
export class ApiError extends Error {
  /** The HTTP status of the answer. */
  readonly statusCode: number
  /** The stable code to branch on. */
  readonly code: ApiErrorCode
  /** Extra machine-readable fields of the answer (`field`, `reason`, …). */
  readonly extra: Readonly<Record<string, string>>

  /**
   * @param statusCode - HTTP status (4xx/5xx).
   * @param code - The stable code.
   * @param message - Human-readable, safe to show to the caller.
   * @param extra - Extra string fields for the body (`field`, `reason`).
   */
  constructor(
    statusCode: number,
    code: ApiErrorCode,
    message: string,
    extra: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.statusCode = statusCode
    this.code = code
    this.extra = extra
  }
}
