"""S&OP step 1, data gathering: reading dataset files, validating them into typed
tables with findings a planner can act on, the company database as a source (`source`:
settings and saved queries; `postgres`: running them; `refresh`: pull, check, load when
changed), the demo company, and what the Data page shows about a dataset.

May import: `sop.core`, `sop.store`.
"""
