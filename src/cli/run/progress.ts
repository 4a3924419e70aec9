/** The live progress of `kms-bench run` on stderr. */
import type { RunProgress } from '../../load/index.ts'
import { progressFigures } from '../../report/index.ts'
import type { TextSink } from '../io.ts'

/**
 * Progress on stderr. `line`: the live line, redrawn (a terminal). `start`: one plain line when
 * each variant starts running (logs, CI=true), so a log shows the run is under way. `off`: --quiet.
 */
export function progressPrinter(
  sink: TextSink,
  mode: 'line' | 'start' | 'off',
): { update(p: RunProgress): void; clear(): void } {
  let shown = false
  // Variants already announced: in virtual time variants run side by side on worker threads.
  const started = new Set<number>()
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
  return {
    update(p) {
      if (mode === 'off') return
      const variant = p.variants > 1 ? `[${p.variantIndex + 1}/${p.variants} ${p.variant}] ` : `[${p.variant}] `
      if (mode === 'start') {
        if (!started.has(p.variantIndex)) sink.write(`${variant}running (${p.totalSeconds}s)\n`)
        started.add(p.variantIndex)
        return
      }
      const line = `${variant}${p.elapsedSeconds.toFixed(1)}s/${p.totalSeconds}s  offered ${fmt(p.offered)}  achieved ${fmt(p.achieved)}  ${progressFigures(p)}`
      sink.write(`\r\u001b[2K${line}`)
      shown = true
    },
    clear() {
      if (shown) sink.write('\r\u001b[2K')
      shown = false
    },
  }
}
