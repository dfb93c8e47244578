"""The Data page's upload: pick files, validate, map what the model does not know,
load, forecast; and what the last upload said, kept on screen until the next one.

State across reruns (`st.session_state`):
- `PENDING`: the files (their signature), name and "keep" a validation was asked for;
  while the uploader holds those files, the result and the mapping step are shown;
- `CONFIRMED`: mappings, table choices and the date order the planner confirmed in
  this session (mappings per company);
- `NOTES`: the findings of the last upload, shown until the next "Validate and load".

A load happens only on a click (the button or the mapping step's submit) and only
when every check passes with at least one uploaded table; a loaded mapping is saved
for the company (`sop.store.column_maps`) and applied to its next upload.
"""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from sop.core.fmt import safe_md
from sop.core.tables import TABLES
from sop.data import mapping
from sop.data.columns import DATE_ORDER
from sop.data.csvtext import code
from sop.data.formats import Part
from sop.data.readers import match_parts, read_parts
from sop.data.validate import Report
from sop.store import column_maps
from sop.ui import actions, readers, widgets
from sop.ui.company import switch_text

FILES, NAME, KEEP, GO = (
    "data_upload_files",
    "data_upload_name",
    "data_upload_keep",
    "data_upload_go",
)
PENDING, CONFIRMED, NOTES = "data_upload_pending", "data_upload_confirmed", "data_upload_notes"
# the version a load made and whose forecast is not fitted yet (a second click stops a
# run half-way: the next run fits it), and the files of the last load with its version
UNFITTED, LOADED = "data_upload_unfitted", "data_upload_loaded"
MAP_FORM, MAP_GO, ORDER = "data_map_form", "data_map_go", "data_date_order"
MAP_PREFIX, ASSIGN_PREFIX = "data_map_col_", "data_assign_"
TYPES = ["xlsx", "csv", "gz", "zip", "parquet", "txt", "tsv"]
NONE = "(none)"
LEAVE_OUT = "(leave it out)"
ORDERS = {
    "day first (03/04/2024 = 3 April 2024)": True,
    "month first (03/04/2024 = March 4)": False,
}
FLASH = "data_flash"


def _signature(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()[:16]


@st.cache_data(show_spinner="Reading the files…", max_entries=2)
def _parts(files: dict[str, bytes]) -> list[Part]:
    return read_parts(files)


@st.cache_data(show_spinner="Checking the files…", max_entries=4)
def _report(files: dict[str, bytes], base_version: int | None, options_key: str) -> Report:
    o = json.loads(options_key)
    options = mapping.ReadOptions(o["maps"], o["saved"], o["saved_for"], o["dayfirst"], o["assign"])
    return readers.validate_upload(files, base_version, options, _parts(files))


def _options(files: dict[str, bytes], name: str, kept) -> tuple:
    """(ReadOptions, company) of this upload: what the planner confirmed in this
    session, and what was saved for the company it will load as. `kept`: the active
    dataset (`DatasetInfo`) when the tables not uploaded are taken from it, else None."""
    confirmed = st.session_state.get(CONFIRMED, {})
    assign = confirmed.get("assign", {})
    got = match_parts(_parts(files), assign, strict=True)
    company_raw = got.raw.get("company")
    base = readers.loaded_tables(readers.store_path(), kept.version) if kept else None
    company = mapping.company_of(
        company_raw.frame if company_raw else None, base, name, kept.company if kept else None
    )
    saved = column_maps.for_company(readers.store(), company)
    maps = confirmed.get("maps", {}).get(company, {})
    options = mapping.ReadOptions(maps, saved, company, confirmed.get("dayfirst"), assign)
    return options, company, got


def _key(options: mapping.ReadOptions) -> str:
    return json.dumps(
        {
            "maps": options.maps,
            "saved": options.saved,
            "saved_for": options.saved_for,
            "dayfirst": options.dayfirst,
            "assign": options.assign,
        },
        sort_keys=True,
    )


def form(info) -> None:
    """The uploader, the dataset name, "keep the other tables", the button; then the
    pending upload's result and mapping step, or the notes of the last upload."""
    uploaded = st.file_uploader("Table files", type=TYPES, accept_multiple_files=True, key=FILES)
    st.text_input("Dataset name", value="upload", key=NAME)
    st.checkbox(
        "Take tables I do not upload from the current dataset",
        value=info is not None,
        disabled=info is None,
        key=KEEP,
    )
    files = {f.name: f.getvalue() for f in uploaded or []}
    _fit_interrupted(info)
    if files and info is not None:  # before the click: a load may hide saved items
        kept = info if st.session_state[KEEP] else None
        _, company, _ = _options(files, st.session_state[NAME].strip() or "upload", kept)
        if said := switch_text(readers.store(), info.company, company):
            st.warning(safe_md(said))
    if st.button("Validate and load", type="primary", key=GO, disabled=not files):
        last = st.session_state.get(LOADED)
        if last and info and last == (_signature(files), info.version):
            st.info(f"These files are already loaded as version {info.version}; it is active.")
            return
        for key in [k for k in st.session_state if str(k).startswith((MAP_PREFIX, ASSIGN_PREFIX))]:
            del st.session_state[key]
        st.session_state.pop(ORDER, None)
        st.session_state.pop(NOTES, None)
        confirmed = st.session_state.setdefault(CONFIRMED, {})
        confirmed.pop("assign", None)
        confirmed.pop("dayfirst", None)
        st.session_state[PENDING] = {
            "sig": _signature(files),
            "name": st.session_state[NAME].strip() or "upload",
            "keep": bool(st.session_state[KEEP]) and info is not None,
        }
        _attempt(files, info, clicked=True)
        return
    pending = st.session_state.get(PENDING)
    if pending and files and pending["sig"] == _signature(files):
        _attempt(files, info, clicked=False)
    elif notes := st.session_state.get(NOTES):
        show_notes(notes)


def _fit_interrupted(info) -> None:
    """Fit the forecast of a load whose run was stopped before its forecast was stored
    (a click during the load starts a new run), with a progress bar."""
    version = st.session_state.get(UNFITTED)
    if version is None:
        return
    if info is None or info.version != version:
        st.session_state.pop(UNFITTED, None)
        return
    bar = st.progress(0.0, text=f"Forecasting version {version}: the load was interrupted…")
    fitted = actions.forecast_new_dataset(bar)
    bar.empty()
    st.session_state.pop(UNFITTED, None)
    if fitted.ok:
        st.success(f"The forecast of version {version} is stored; the Demand page shows it.")
    else:
        st.warning(
            safe_md(
                f"The forecast could not be fitted ({fitted.message}). Run it on the Demand page."
            )
        )


def show_notes(notes: dict) -> None:
    """What the last upload said, until the next upload."""
    st.markdown(f"**Last upload**: {safe_md(notes['title'])}")
    for message in notes["errors"]:
        st.error(safe_md(message))
    for message in notes["warnings"]:
        st.warning(safe_md(message))


def _attempt(files: dict[str, bytes], info, clicked: bool) -> None:
    """Validate the pending upload; load it on a click when it passes; otherwise show
    what is wrong and the mapping step."""
    pending = st.session_state[PENDING]
    base_version = info.version if pending["keep"] and info else None
    options, company, got = _options(files, pending["name"], info if base_version else None)
    report = _report(files, base_version, _key(options))
    if clicked and report.ok:
        _load(report, files, pending, options, company)
        return
    # the findings and the mapping step go as soon as the step is submitted: during the
    # load and the forecast they would say "Nothing was loaded", and a second click on
    # the form would stop the run half-way (the load done, the forecast not)
    box = st.empty()
    with box.container():
        for f in report.errors:
            st.error(safe_md(f.message))
        for f in report.warnings:
            st.warning(safe_md(f.message))
        submitted = False
        if not report.ok:
            st.error(
                f"Nothing was loaded: {len(report.errors)} error(s). The current dataset is "
                "unchanged; fix the files (or map them below) and upload again."
            )
            submitted = _mapping_step(got, options, report)
    if submitted:
        box.empty()
        _after_mapping(files, info)


def _mapping_step(got, options: mapping.ReadOptions, report: Report) -> bool:
    """The headers, tables and date order to confirm, as one form; True when submitted."""
    needs = [
        n
        for name, raw in got.raw.items()
        if (
            n := mapping.need(
                name,
                raw.file,
                raw.frame.columns,
                options.saved.get(name, {}),
                options.maps.get(name, {}),
            )
        )
    ]
    order = any(f.check == DATE_ORDER and f.severity == "error" for f in report.findings)
    if not (needs or got.unmatched or order):
        return False
    st.subheader("Map your files to the data model")
    with st.form(MAP_FORM):
        for n in needs:
            st.markdown(
                f"{safe_md(code(n.file))} is read as the `{n.table}` table; it lacks "
                f"{', '.join(f'`{m}`' for m in n.missing)}. Which column of the file is each?"
            )
            boxes = st.columns(min(len(n.missing), 4))
            for i, col in enumerate(n.missing):
                choices = [NONE, *n.free]
                hint = n.hints.get(col)
                boxes[i % 4].selectbox(
                    f"{col} ({n.table})",
                    choices,
                    index=choices.index(hint) if hint in choices else 0,
                    key=f"{MAP_PREFIX}{n.table}__{col}",
                )
        tables = [LEAVE_OUT, *TABLES]
        for i, (part, guess) in enumerate(got.unmatched):
            st.selectbox(
                f"Which table is {safe_md(code(part.label))}?",
                tables,
                index=tables.index(guess) if guess else 0,
                key=f"{ASSIGN_PREFIX}{i}",
                help="Its name is no table of the data model; its columns "
                + (f"look like the `{guess}` table." if guess else "match no table."),
            )
        if order:
            st.radio("Dates like 03/04/2024 are written", list(ORDERS), index=None, key=ORDER)
        return st.form_submit_button("Apply and load", type="primary", key=MAP_GO)


def _after_mapping(files: dict[str, bytes], info) -> None:
    """Keep what the mapping step says, then validate again and load when it passes."""
    pending = st.session_state[PENDING]
    base_version = info.version if pending["keep"] and info else None
    options, company, got = _options(files, pending["name"], info if base_version else None)
    confirmed = st.session_state.setdefault(CONFIRMED, {})
    maps = confirmed.setdefault("maps", {}).setdefault(company, {})
    for key, header in list(st.session_state.items()):
        if str(key).startswith(MAP_PREFIX) and header != NONE:
            table, col = str(key)[len(MAP_PREFIX) :].split("__", 1)
            table_map = maps.setdefault(table, {})
            for old in [h for h, c in table_map.items() if c == col]:
                del table_map[old]
            table_map[header] = col
    assign = dict(confirmed.get("assign", {}))
    for i, (part, _) in enumerate(got.unmatched):
        choice = st.session_state.get(f"{ASSIGN_PREFIX}{i}")
        if choice is not None:
            assign[part.label] = "" if choice == LEAVE_OUT else choice
    confirmed["assign"] = assign
    if (order := st.session_state.get(ORDER)) is not None:
        confirmed["dayfirst"] = ORDERS[order]
    for key in [k for k in st.session_state if str(k).startswith((MAP_PREFIX, ASSIGN_PREFIX))]:
        del st.session_state[key]
    options, company, _ = _options(files, pending["name"], info if base_version else None)
    report = _report(files, base_version, _key(options))
    if report.ok:
        _load(report, files, pending, options, company)
    else:
        st.rerun()  # show the new result and what is still to map


def _load(report: Report, files: dict[str, bytes], pending: dict, options, company: str) -> None:
    """Load the validated upload, save its confirmed mapping for the company, fit the
    forecast of the new version with a progress bar, and keep the notes."""
    name = pending["name"]
    before = readers.active()
    loaded = actions.load(report, name, "upload: " + ", ".join(sorted(files)), company)
    if not loaded.ok:
        st.error(safe_md(loaded.message))
        return
    now = readers.active()
    switched = before and now and switch_text(readers.store(), before.company, now.company, True)
    st.session_state[UNFITTED] = loaded.value
    st.session_state[LOADED] = (_signature(files), loaded.value)
    used = {t: m for t, m in options.maps.items() if t in report.tables and m}
    remembered = actions.remember_maps(company, used) if used else None
    bar = st.progress(0.0, text="Forecasting the new dataset…")
    fitted = actions.forecast_new_dataset(bar)
    bar.empty()
    st.session_state.pop(UNFITTED, None)
    warnings = [f.message for f in report.warnings] + ([switched] if switched else [])
    if remembered is not None:
        warnings.append(
            f"The column mapping was saved for {code(company)}: its next upload is read the "
            "same way."
            if remembered.ok
            else f"The column mapping could not be saved ({remembered.message})."
        )
    done = f"Loaded {code(name)} as version {loaded.value}; it is now active."
    if fitted.ok:
        done += " The forecast is stored; the Demand page shows it."
    else:
        warnings.append(
            f"The forecast could not be fitted ({fitted.message}). Run it on the Demand page."
        )
    st.session_state[NOTES] = {"title": done, "errors": [], "warnings": warnings}
    st.session_state.pop(PENDING, None)
    widgets.flash(FLASH, safe_md(done))
