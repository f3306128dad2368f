/**
 * Several VAPID key pairs under names, one of them current, for key rotation: new subscriptions
 * use the current key, and messages to older subscriptions are signed with the key they were
 * created with (RFC 8292 §4.2: a restricted subscription only accepts its own key).
 *
 * @module
 */

import { assertKnownKeys, isObject } from './internal/assert.js'
import { decodeBase64Lenient, encodeBase64Url } from './internal/base64.js'
import { isBytes } from './internal/bytes.js'
import type { VapidKeyInput, VapidKeys } from './keys.js'
import { importVapidKeys, isVapidKeys } from './keys.js'

/**
 * Options of {@link VapidKeyring}.
 *
 * @example
 *
 * ```ts
 * import { generateVapidKeys, type VapidKeyringOptions } from '@pushcraft/vapid'
 *
 * const options: VapidKeyringOptions = {
 *   keys: { '2025-01': await generateVapidKeys(), '2024-01': await generateVapidKeys() },
 *   current: '2025-01',
 * }
 * ```
 */
export interface VapidKeyringOptions {
  /**
   * The keys: a record of id → keys (ids of your choosing, such as `'2025-01'`), or a list, where
   * each key's id is its {@link VapidKeys.id} (RFC 7638 thumbprint).
   */
  readonly keys: readonly VapidKeys[] | Readonly<Record<string, VapidKeys>>
  /** The id of the key new subscriptions use. Default: the first key. */
  readonly current?: string
}

/**
 * Options of {@link VapidKeyring.import}: like {@link VapidKeyringOptions}, with key inputs in any
 * format {@link importVapidKeys} reads.
 *
 * @example
 *
 * ```ts
 * import type { ImportVapidKeyringOptions } from '@pushcraft/vapid'
 *
 * const options: ImportVapidKeyringOptions = {
 *   keys: { primary: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw' },
 * }
 * ```
 */
export interface ImportVapidKeyringOptions {
  /** id → key input. */
  readonly keys: Readonly<Record<string, VapidKeyInput>>
  /** The id of the current key. Default: the first key. */
  readonly current?: string
}

function assertId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id === '')
    throw new TypeError('a key id must be a non-empty string')
}

/**
 * Named VAPID key pairs with one current key.
 *
 * Store the id of the key a subscription was made with ({@link VapidKeyring.currentId} at subscribe
 * time, or {@link VapidKeyring.idOf} of its `applicationServerKey`), and sign its messages with
 * {@link VapidKeyring.get | get(id)}.
 *
 * @example
 *
 * ```ts
 * import { generateVapidKeys, VapidKeyring } from '@pushcraft/vapid'
 *
 * const keyring = new VapidKeyring({
 *   keys: { '2025-01': await generateVapidKeys(), '2024-01': await generateVapidKeys() },
 *   current: '2025-01',
 * })
 * const forNewSubscriptions = keyring.current.applicationServerKey
 * const forAnOldOne = keyring.get('2024-01')
 * ```
 */
export class VapidKeyring {
  readonly #keys = new Map<string, VapidKeys>()
  readonly #byPublicKey = new Map<string, string>()
  #currentId: string

  /**
   * @param options - `keys` and optional `current`.
   * @throws `TypeError` for an empty or malformed key set or duplicate ids; `RangeError` when
   *   `current` names no key.
   */
  constructor(options: VapidKeyringOptions) {
    if (!isObject(options)) throw new TypeError('"options" must be an object')
    assertKnownKeys(options, ['keys', 'current'], 'options')
    const { keys, current } = options
    const entries: [string, unknown][] = Array.isArray(keys)
      ? keys.map((value: unknown) => [isVapidKeys(value) ? value.id : '', value])
      : isObject(keys)
        ? Object.entries(keys)
        : []
    if (entries.length === 0) throw new TypeError('"keys" must hold at least one VapidKeys')
    for (const [id, value] of entries) this.#insert(id, value)
    const first = entries[0]?.[0] as string
    this.#currentId = first
    if (current !== undefined) this.setCurrent(current)
  }

  /**
   * Imports every key of a record (ids → any {@link VapidKeyInput}) and builds a keyring, for
   * configuration that holds several keys.
   *
   * @param options - `keys` (id → key input) and optional `current`.
   * @returns The keyring.
   * @throws {@link VapidError} `ERR_VAPID_INVALID_KEY` for a malformed key; `TypeError` and
   *   `RangeError` as the constructor.
   */
  static async import(options: ImportVapidKeyringOptions): Promise<VapidKeyring> {
    if (!isObject(options) || !isObject(options.keys)) {
      throw new TypeError('"options.keys" must be an object of id → key')
    }
    const entries = Object.entries(options.keys)
    const imported = await Promise.all(entries.map(([, input]) => importVapidKeys(input)))
    const keys: Record<string, VapidKeys> = {}
    entries.forEach(([id], index) => {
      keys[id] = imported[index] as VapidKeys
    })
    return new VapidKeyring(
      options.current === undefined ? { keys } : { keys, current: options.current },
    )
  }

  #insert(id: unknown, value: unknown): void {
    assertId(id)
    if (!isVapidKeys(value)) {
      throw new TypeError(
        `key "${id}" must be VapidKeys from generateVapidKeys() or importVapidKeys()`,
      )
    }
    if (this.#keys.has(id)) throw new TypeError(`duplicate key id "${id}"`)
    this.#keys.set(id, value)
    if (!this.#byPublicKey.has(value.applicationServerKey)) {
      this.#byPublicKey.set(value.applicationServerKey, id)
    }
  }

  /** The key new subscriptions should use. */
  get current(): VapidKeys {
    return this.#keys.get(this.#currentId) as VapidKeys
  }

  /** The id of {@link VapidKeyring.current}. */
  get currentId(): string {
    return this.#currentId
  }

  /** All ids, in insertion order. */
  get ids(): string[] {
    return [...this.#keys.keys()]
  }

  /** The number of keys. */
  get size(): number {
    return this.#keys.size
  }

  /**
   * The key with this id.
   *
   * @param id - A key id.
   * @returns The keys, or `undefined` when there is no such id (a subscription made with a retired
   *   key, for example).
   */
  get(id: string): VapidKeys | undefined {
    return this.#keys.get(id)
  }

  /**
   * Whether a key has this id.
   *
   * @param id - A key id.
   * @returns `true` when {@link VapidKeyring.get} would find it.
   */
  has(id: string): boolean {
    return this.#keys.has(id)
  }

  /**
   * The id of the key whose public key this is, to find which key a subscription was created
   * with from its `applicationServerKey`.
   *
   * @param publicKey - The 65-byte public key or its base64url/base64 text.
   * @returns The id, or `undefined` when no key matches.
   */
  idOf(publicKey: string | Uint8Array): string | undefined {
    let bytes: Uint8Array | undefined
    if (typeof publicKey === 'string') bytes = decodeBase64Lenient(publicKey.trim())
    else if (isBytes(publicKey)) bytes = publicKey
    else throw new TypeError('"publicKey" must be a string or Uint8Array')
    return bytes === undefined ? undefined : this.#byPublicKey.get(encodeBase64Url(bytes))
  }

  /**
   * Adds a key.
   *
   * @param keys - The key pair.
   * @param options - `id` (default `keys.id`) and `current` (make it the current key; default
   *   `false`).
   * @returns The id it was added under.
   * @throws `TypeError` for a duplicate id or malformed keys.
   */
  add(keys: VapidKeys, options?: { readonly id?: string; readonly current?: boolean }): string {
    const id = options?.id ?? (isVapidKeys(keys) ? keys.id : '')
    this.#insert(id, keys)
    if (options?.current === true) this.#currentId = id
    return id
  }

  /**
   * Makes another key current.
   *
   * @param id - The id of a key in the keyring.
   * @throws `RangeError` when there is no such key.
   */
  setCurrent(id: string): void {
    assertId(id)
    if (!this.#keys.has(id)) throw new RangeError(`no key with id "${id}"`)
    this.#currentId = id
  }

  /**
   * Removes a key that is no longer needed (all its subscriptions are gone or re-subscribed).
   *
   * @param id - The id of the key.
   * @returns `true` if a key was removed.
   * @throws `RangeError` when `id` is the current key.
   */
  delete(id: string): boolean {
    if (id === this.#currentId)
      throw new RangeError('cannot delete the current key; setCurrent() first')
    const keys = this.#keys.get(id)
    if (keys === undefined) return false
    this.#keys.delete(id)
    if (this.#byPublicKey.get(keys.applicationServerKey) === id) {
      this.#byPublicKey.delete(keys.applicationServerKey)
      for (const [otherId, other] of this.#keys) {
        if (other.applicationServerKey === keys.applicationServerKey) {
          this.#byPublicKey.set(other.applicationServerKey, otherId)
          break
        }
      }
    }
    return true
  }

  /**
   * `[id, keys]` pairs in insertion order.
   *
   * @returns An iterator over the entries.
   */
  [Symbol.iterator](): IterableIterator<[string, VapidKeys]> {
    return this.#keys.entries()
  }
}
