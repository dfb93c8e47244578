"""The command line, `python -m sop <command>`: one module per command group.

`main` builds the parser from each module's `add_commands` and turns any failure
into one plain line; `report` prints a validation report; `data` holds validate,
load, demo, ensure-demo, datasets, restore and schema-doc; `folder` reads a dataset
folder for them and for every `--data DIR` command, with `saved_maps` (the column
mappings saved in the app); `template` the Excel
template of the data model; `source` the database
connection and saved queries, and `refresh`; `forecast`, `backtest`,
`plan`, `scenario` and `pack` one command each (`add_arguments`, `run`).

May import: any domain package (`sop.core` up to `sop.executive`); never `sop.ui`.
"""
