"""What a plan is worth: the P&L by family and month, the one KPI catalogue, risk
ranges, the margin and price-volume-mix bridges, the year-end landing and the
finance exports.

May import: `sop.core`, `sop.store`, `sop.data`, `sop.demand`, `sop.supply`.
"""
