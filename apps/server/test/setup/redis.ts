/**
 * Vitest global setup: a Redis server for the queue-mode suites. Uses `PUSHCRAFT_TEST_REDIS_URL`
 * when given; otherwise starts a throwaway `redis-server` (Debian's `redis-server` package, through
 * `scripts/services.mjs`, shared with the queue benchmark) on 127.0.0.1 and a free port, as the
 * current user, without persistence, with its working directory in a temporary directory, and
 * stops it afterwards. When redis-server is not installed, the queue suites fail with an install
 * hint (they do not skip).
 *
 * @module
 */

import type { TestProject } from 'vitest/node'

import { findRedisServer, startRedis } from '../../scripts/services.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of the test Redis server, or the reason there is none. */
    redis: { url: string; error?: undefined } | { url?: undefined; error: string }
  }
}

const INSTALL_HINT =
  'redis-server is not installed: run `apt-get install -y redis-server` (Debian; ./run test does it as root via scripts/test-services.sh) or set PUSHCRAFT_TEST_REDIS_URL=redis://host:port'

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.PUSHCRAFT_TEST_REDIS_URL
  if (given !== undefined && given !== '') {
    project.provide('redis', { url: given })
    return () => Promise.resolve()
  }
  const binary = findRedisServer()
  if (binary === undefined) {
    project.provide('redis', { error: INSTALL_HINT })
    return () => Promise.resolve()
  }
  try {
    const redis = await startRedis({ binary })
    project.provide('redis', { url: redis.url })
    return () => redis.stop()
  } catch (error) {
    project.provide('redis', {
      error: `could not start a throwaway redis-server: ${(error as Error).message}`,
    })
    return () => Promise.resolve()
  }
}
