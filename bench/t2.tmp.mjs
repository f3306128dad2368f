import { runJob } from './lib/spawn.mjs'
const base = { scenario: 'build', fixtures: '/tmp/bench-fx.json', lanes: 64, warmupMs: 300, durationMs: 600, reps: 2 }
for (const [impl, encoding, payloadSize] of [['floor','aes128gcm',100],['pushcraft','aes128gcm',100],['web-push','aes128gcm',100],['floor','aesgcm',3000],['pushcraft','aesgcm',3000],['web-push','aesgcm',3000],['ece','aes128gcm',100],['floor-ece','aes128gcm',100],['vapid-cached'],['vapid-fresh'],['floor-es256']]) {
  const t = Date.now()
  const r = await runJob({ ...base, impl, encoding, payloadSize })
  console.log(impl, encoding, payloadSize, Date.now()-t, 'ms', r.runs.map(x => `${x.msgsPerSec.toFixed(0)}/s cpu ${x.cpuUsPerMsg.toFixed(1)}µs p50 ${x.p50Ms.toFixed(3)} p99 ${x.p99Ms.toFixed(3)}`).join(' | '), (r.peakRssBytes/2**20).toFixed(0)+'MiB')
}
