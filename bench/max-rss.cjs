// Preloaded into the bench's `kms-bench run` children (`node --require bench/max-rss.cjs`):
// prints the process's peak resident set (KiB, worker threads included) and its CPU time
// (user + system, µs, every thread) to stderr at exit, so bench/virtual-time.bench.ts can
// compare two runs without an outside tool.
process.on('exit', () => {
  const u = process.resourceUsage()
  process.stderr.write(`\nmax-rss-kb=${u.maxRSS} cpu-us=${u.userCPUTime + u.systemCPUTime}\n`)
})
