"""The command line, `python -m sop <command>`: one module per command group.

May import: any domain package (`sop.core` up to `sop.executive`); never `sop.ui`.
"""
