/**
 * `npx tsx bench/state-journal.bench.ts`: the cost of one durable write of `serve --state`
 * (issue 18.8) at 1,000 and 10,000 keys: a TagResource on one key, then the commit (journal
 * append + fdatasync), median of repeated writes. Reported as ratios measured in the same run:
 *
 * - write at 10 k keys / write at 1 k keys: ~1 when a write costs the size of the change
 *   (it was ~10 when every write rewrote the whole state);
 * - the old full rewrite at 10 k keys (snapshot + JSON + write + fsync of state.json) / the
 *   journal write at 10 k keys.
 *
 * Both include the fsync, so they depend on the disk; the ratios compare like with like.
 */
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { createEmulator } from '../src/emulator.ts'
import { takeSnapshot } from '../src/kms/index.ts'
import { StatePersistence } from '../src/server/index.ts'

/** Figures of {@link measureStateJournal}. */
export interface StateJournalFigures {
  /** Median ms of one write (TagResource + commit) at 1 k and 10 k keys. */
  readonly writeMs1k: number
  readonly writeMs10k: number
  /** Median ms of one full rewrite of the state at 10 k keys (what every write cost before). */
  readonly fullRewriteMs10k: number
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

async function writeLatency(keys: number, writes: number): Promise<{ ms: number; fullMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'kms-bench-journal-bench-'))
  try {
    const emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    const { persistence } = await StatePersistence.open(dir, emulator.core)
    const ids: string[] = []
    for (let i = 0; i < keys; i++) ids.push(emulator.callSync('CreateKey', {}).KeyMetadata?.KeyId as string)
    await persistence.commit()
    const times: number[] = []
    for (let i = 0; i < writes; i++) {
      const t0 = performance.now()
      emulator.callSync('TagResource', {
        KeyId: ids[(i * 7919) % ids.length] as string,
        Tags: [{ TagKey: 'n', TagValue: String(i) }],
      })
      await persistence.commit()
      times.push(performance.now() - t0)
    }
    // The former write path: the whole state as one JSON file, fsynced.
    const full: number[] = []
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now()
      const text = JSON.stringify(takeSnapshot(emulator.core))
      const fh = await open(join(dir, 'full.json'), 'w')
      await fh.writeFile(text)
      await fh.sync()
      await fh.close()
      full.push(performance.now() - t0)
    }
    await persistence.close({ compact: false })
    return { ms: median(times), fullMs: median(full) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Measures write latency at 1 k and 10 k keys (`writes` writes each). */
export async function measureStateJournal(writes = 40): Promise<StateJournalFigures> {
  const small = await writeLatency(1000, writes)
  const large = await writeLatency(10_000, writes)
  return { writeMs1k: small.ms, writeMs10k: large.ms, fullRewriteMs10k: large.fullMs }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = await measureStateJournal()
  console.log(
    JSON.stringify(
      {
        ...f,
        write10kOver1k: f.writeMs10k / f.writeMs1k,
        fullRewriteOverJournalWrite10k: f.fullRewriteMs10k / f.writeMs10k,
      },
      null,
      2,
    ),
  )
}
