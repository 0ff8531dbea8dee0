// An idle process for the memory baseline: `node --import tsx test/bench/idle-entry.ts` shows what Node
// plus tsx's loader cost before any router code loads. The parent reads its RSS, then ends it.
setTimeout(() => undefined, 10_000)
