// VapidKeyring: named keys for rotation, one current, lookup by id and by public key.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  exportVapidKeys,
  generateVapidKeys,
  importVapidKeys,
  VapidKeyring,
  type VapidKeys,
} from '../src/index.ts'
import { TEST_PRIVATE_KEY, TEST_PUBLIC_KEY } from './helpers.ts'

let oldKeys: VapidKeys
let newKeys: VapidKeys

beforeAll(async () => {
  oldKeys = await importVapidKeys(TEST_PRIVATE_KEY)
  newKeys = await generateVapidKeys()
})

describe('VapidKeyring', () => {
  it('holds named keys with one current', () => {
    const keyring = new VapidKeyring({
      keys: { '2024-01': oldKeys, '2025-01': newKeys },
      current: '2025-01',
    })
    expect(keyring.currentId).toBe('2025-01')
    expect(keyring.current).toBe(newKeys)
    expect(keyring.get('2024-01')).toBe(oldKeys)
    expect(keyring.get('2023-01')).toBeUndefined()
    expect(keyring.has('2024-01')).toBe(true)
    expect(keyring.ids).toEqual(['2024-01', '2025-01'])
    expect(keyring.size).toBe(2)
    expect([...keyring]).toEqual([
      ['2024-01', oldKeys],
      ['2025-01', newKeys],
    ])
  })

  it('defaults the current key to the first, and ids to the key ids for a list', () => {
    const keyring = new VapidKeyring({ keys: [oldKeys, newKeys] })
    expect(keyring.currentId).toBe(oldKeys.id)
    expect(keyring.get(newKeys.id)).toBe(newKeys)
  })

  it('finds the key a subscription was made with from its applicationServerKey', () => {
    const keyring = new VapidKeyring({ keys: { old: oldKeys, new: newKeys } })
    expect(keyring.idOf(TEST_PUBLIC_KEY)).toBe('old')
    expect(keyring.idOf(newKeys.publicKeyBytes)).toBe('new')
    // browsers may hand back standard base64 or padding
    const standard = btoa(String.fromCharCode(...newKeys.publicKeyBytes))
    expect(keyring.idOf(standard)).toBe('new')
    expect(keyring.idOf('not base64!')).toBeUndefined()
    expect(keyring.idOf(new Uint8Array(65))).toBeUndefined()
  })

  it('rotates: add, setCurrent, delete', async () => {
    const keyring = new VapidKeyring({ keys: { old: oldKeys } })
    const newest = await generateVapidKeys()
    expect(keyring.add(newKeys, { id: 'new' })).toBe('new')
    expect(keyring.currentId).toBe('old')
    expect(keyring.add(newest, { current: true })).toBe(newest.id)
    expect(keyring.current).toBe(newest)
    keyring.setCurrent('new')
    expect(keyring.current).toBe(newKeys)
    expect(() => keyring.delete('new')).toThrow(RangeError)
    expect(keyring.delete('old')).toBe(true)
    expect(keyring.delete('old')).toBe(false)
    expect(keyring.idOf(TEST_PUBLIC_KEY)).toBeUndefined()
  })

  it('keeps public-key lookup right when the same key is held twice', () => {
    const keyring = new VapidKeyring({ keys: { a: oldKeys, b: oldKeys, c: newKeys }, current: 'c' })
    expect(keyring.idOf(TEST_PUBLIC_KEY)).toBe('a')
    keyring.delete('a')
    expect(keyring.idOf(TEST_PUBLIC_KEY)).toBe('b')
  })

  it('imports keys from configuration', async () => {
    const { privateKey } = await exportVapidKeys(newKeys, { format: 'pkcs8-pem' })
    const keyring = await VapidKeyring.import({
      keys: { old: TEST_PRIVATE_KEY, new: privateKey },
      current: 'new',
    })
    expect(keyring.current.id).toBe(newKeys.id)
    expect(keyring.get('old')?.applicationServerKey).toBe(TEST_PUBLIC_KEY)
    await expect(VapidKeyring.import({ keys: { bad: 'nope' } })).rejects.toMatchObject({
      code: 'ERR_VAPID_INVALID_KEY',
    })
    await expect(VapidKeyring.import({ keys: 'x' } as never)).rejects.toThrow(TypeError)
  })

  it('rejects misuse', () => {
    expect(() => new VapidKeyring({ keys: {} })).toThrow(TypeError)
    expect(() => new VapidKeyring({ keys: [] })).toThrow(TypeError)
    expect(() => new VapidKeyring({ keys: { a: {} as never } })).toThrow(TypeError)
    expect(() => new VapidKeyring({ keys: { '': oldKeys } })).toThrow(TypeError)
    expect(() => new VapidKeyring({ keys: [oldKeys, oldKeys] })).toThrow(TypeError)
    expect(() => new VapidKeyring({ keys: { a: oldKeys }, current: 'b' })).toThrow(RangeError)
    expect(() => new VapidKeyring({ keys: { a: oldKeys }, primary: 'a' } as never)).toThrow(
      TypeError,
    )
    expect(() => new VapidKeyring(undefined as never)).toThrow(TypeError)
    const keyring = new VapidKeyring({ keys: { a: oldKeys } })
    expect(() => keyring.add(oldKeys, { id: 'a' })).toThrow(TypeError)
    expect(() => {
      keyring.setCurrent('zzz')
    }).toThrow(RangeError)
    expect(() => keyring.idOf(42 as never)).toThrow(TypeError)
  })
})
