// Every exported kernel ends with (tid, threads): the main thread and each worker call it with their own
// tid and take their share of the work, so the partitioning lives next to the loops it splits.

/** The first of `units` work units that thread `tid` of `threads` takes; thread t takes [share(t), share(t + 1)). */
export function share(units: i32, tid: i32, threads: i32): i32 {
  return <i32>((<i64>units * tid) / threads);
}
