"""S&OP step 2, demand planning: the statistical forecast engine (models, selection,
backtest, metrics, hierarchy), consensus overrides and the consensus demand plan.

May import: `sop.core`, `sop.store`, `sop.data`.
"""
