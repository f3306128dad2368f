/**
 * The in-memory outcome ring of a broadcast: it keeps the last N outcomes, numbers them in order,
 * and hands out only what was recorded since the previous write (at most N).
 */
import { describe, expect, it } from 'vitest'

import { OutcomeLog } from '../src/outcome-log.js'

const fill = (log: OutcomeLog, from: number, to: number): void => {
  for (let id = from; id <= to; id++) {
    log.record(id, 'fcm', id % 2 === 0 ? 'delivered' : 'gone', id % 2 === 0 ? 201 : 410, null)
  }
}

describe('OutcomeLog', () => {
  it('hands out what was recorded since the last take, oldest first, with its seq', () => {
    const log = new OutcomeLog(10)
    fill(log, 1, 3)
    const first = log.takeUnwritten()
    expect(first.map((o) => o.seq)).toEqual([1, 2, 3])
    expect(first[1]).toMatchObject({
      subscriptionId: 2,
      service: 'fcm',
      outcome: 'delivered',
      statusCode: 201,
      detail: null,
      createdAt: expect.any(Number),
    })
    expect(log.takeUnwritten()).toEqual([])
    fill(log, 4, 5)
    expect(log.takeUnwritten().map((o) => [o.seq, o.subscriptionId, o.outcome])).toEqual([
      [4, 4, 'delivered'],
      [5, 5, 'gone'],
    ])
  })

  it('keeps only the last N once it wrapped around', () => {
    const log = new OutcomeLog(4)
    fill(log, 1, 11)
    expect(log.recorded).toBe(11)
    expect(log.takeUnwritten().map((o) => [o.seq, o.subscriptionId])).toEqual([
      [8, 8],
      [9, 9],
      [10, 10],
      [11, 11],
    ])
    // Part of the ring was taken already: only the new ones, even across the wrap.
    fill(log, 12, 14)
    expect(log.takeUnwritten().map((o) => o.seq)).toEqual([12, 13, 14])
    fill(log, 15, 40)
    expect(log.takeUnwritten().map((o) => o.seq)).toEqual([37, 38, 39, 40])
  })

  it('refuses a capacity below 1', () => {
    expect(() => new OutcomeLog(0)).toThrow(RangeError)
    expect(() => new OutcomeLog(1.5)).toThrow(RangeError)
  })
})
