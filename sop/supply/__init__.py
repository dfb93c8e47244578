"""S&OP step 3, supply planning: plan settings (the ones of record in `settings`), the
supply inputs, the linear program (HiGHS), plan results, explanations (bottlenecks,
shortfalls), rough-cut capacity, and demand paths re-planned through a plan's capacity
(`paths`, for the risk ranges).

May import: `sop.core`, `sop.store`, `sop.data`, `sop.demand`.
"""
