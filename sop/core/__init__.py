"""The foundation under every S&OP step: the data model (`schema`, `tables`), number formats
(`fmt`), month arithmetic (`months`), Excel tables (`xlsx`) and the chart theme
(`charts`, `money_axis`).

May import: the standard library and third-party packages only, never another `sop`
package.
"""
