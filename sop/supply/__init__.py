"""S&OP step 3, supply planning: plan settings (the ones of record in `settings`), the
supply inputs, the linear program (HiGHS), plan results, explanations (bottlenecks,
shortfalls) and rough-cut capacity.

May import: `sop.core`, `sop.store`, `sop.data`, `sop.demand`.
"""
