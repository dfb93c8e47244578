"""S&OP step 4, reconciliation: scenario levers, applying them to a plan's inputs,
evaluation (re-solve, KPIs, bridge, risk), the lever space behind the sliders, the
shareable URL, saved scenarios (`saved`) and comparing them.

May import: every package below it: `sop.core`, `sop.store`, `sop.data`,
`sop.demand`, `sop.supply`, `sop.finance`.
"""
