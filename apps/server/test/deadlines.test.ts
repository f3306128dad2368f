/**
 * The send timeout with timers shared per slot: a send is never cut before the timeout, always by
 * the timeout plus one slot, the delivery's own abort reaches every slot, and no timer outlives
 * its sends. Fake timers: nothing here waits for real time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { SendDeadlines } from '../src/deadlines.js'

describe('SendDeadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('cuts a send no earlier than the timeout and no later than one slot after it', () => {
    // 1000 ms → slots of 50 ms.
    const deadlines = new SendDeadlines({ timeoutMs: 1000 })
    const first = deadlines.acquire()
    vi.advanceTimersByTime(49)
    const late = deadlines.acquire()
    expect(late.signal).toBe(first.signal)
    vi.advanceTimersByTime(1000 - 49 - 1)
    expect(first.signal.aborted).toBe(false)
    // `late` started 49 ms after `first`: it must get its full second too.
    vi.advanceTimersByTime(49)
    expect(late.signal.aborted).toBe(false)
    vi.advanceTimersByTime(2)
    expect(first.signal.aborted).toBe(true)
    expect(first.timedOut).toBe(true)
    expect(first.signal.reason).toBe(deadlines.reason)
    first.release()
    late.release()
    expect(deadlines.liveSlots).toBe(0)
  })

  it('opens a new slot after the slot length, and a send that ended cancels nothing', () => {
    const deadlines = new SendDeadlines({ timeoutMs: 1000 })
    const a = deadlines.acquire()
    vi.advanceTimersByTime(50)
    const b = deadlines.acquire()
    expect(b.signal).not.toBe(a.signal)
    a.release()
    b.release()
    // Both slots ended before their timeout: their timers are gone.
    expect(deadlines.liveSlots).toBe(1)
    vi.advanceTimersByTime(50)
    deadlines.acquire().release()
    expect(deadlines.liveSlots).toBe(1)
    expect(vi.getTimerCount()).toBe(1)
    deadlines.close()
    expect(vi.getTimerCount()).toBe(0)
    expect(b.signal.aborted).toBe(false)
  })

  it('passes the delivery abort on to every slot with its reason', () => {
    const controller = new AbortController()
    const deadlines = new SendDeadlines({ timeoutMs: 1000, signal: controller.signal })
    const a = deadlines.acquire()
    vi.advanceTimersByTime(60)
    const b = deadlines.acquire()
    const reason = new Error('shutting down')
    controller.abort(reason)
    expect(a.signal.reason).toBe(reason)
    expect(b.signal.reason).toBe(reason)
    expect(a.timedOut).toBe(false)
    // A slot opened after the abort starts aborted.
    vi.advanceTimersByTime(60)
    expect(deadlines.acquire().signal.reason).toBe(reason)
    deadlines.close()
  })

  it('keeps a handful of timers for thousands of sends', () => {
    const deadlines = new SendDeadlines({ timeoutMs: 15_000 })
    const slots = []
    for (let i = 0; i < 5000; i++) {
      slots.push(deadlines.acquire())
      vi.advanceTimersByTime(1)
    }
    // 5 s of sends in 250 ms slots.
    expect(vi.getTimerCount()).toBe(20)
    for (const slot of slots) slot.release()
    expect(vi.getTimerCount()).toBe(1)
    deadlines.close()
  })

  it('refuses a timeout below 1 ms', () => {
    expect(() => new SendDeadlines({ timeoutMs: 0 })).toThrow(RangeError)
  })
})
