"""S&OP step 5, the executive meeting: decisions and the plan of record, risks and
opportunities, what changed, the weekly hand-off to S&OE and the meeting pack.

May import: every package below it: `sop.core` up to `sop.scenario`.
"""
