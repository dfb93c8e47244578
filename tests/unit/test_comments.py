"""Comments: threads on a saved scenario, an override, a risk or a decision-log entry;
the author is the acting person, a viewer writes nothing, bad text is refused with
nothing stored, every comment stays with its company, and the meeting pack lists the
open threads (HTML escaped, Excel text)."""

from __future__ import annotations

import io
import threading
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from exec_helpers import exec_tables, load

from sop.core.access import EXECUTIVE, SOP_OWNER, SUPPLY_PLANNER, VIEWER, AccessDenied, Actor
from sop.demand import overrides as demand_overrides
from sop.executive import comments as exec_comments
from sop.executive import pack
from sop.executive import service as executive
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store, StoreError, comments
from sop.store import decisions as decision_log
from sop.store import overrides as store_overrides

ANN = Actor("ann@example.com", "Ann Planner", frozenset({"demand_planner"}))
BOB = Actor("bob@example.com", "Bob Supply", frozenset({SUPPLY_PLANNER}))
OWNER = Actor("olga@example.com", "Olga Owner", frozenset({SOP_OWNER}))
EXEC = Actor("eve@example.com", "Eve Exec", frozenset({EXECUTIVE}))
VIEW = Actor("vic@example.com", "Vic Viewer", frozenset({VIEWER}))
RISK = comments.risk_key("Bottleneck", "L2 (Assembly)")


@pytest.fixture
def loaded(store: Store) -> Store:
    load(store)
    return store


def _rows(store: Store) -> list[tuple]:
    with store.connect() as con:
        return con.execute("SELECT * FROM comments ORDER BY comment_id").fetchall()


def test_post_stores_the_actors_signature_and_the_trimmed_text(loaded: Store) -> None:
    ann = loaded.as_actor(ANN)
    cid = comments.post(ann, comments.RISK, RISK, "  L2 needs a second shift?  ", "L2")
    df = comments.thread(loaded, comments.RISK, RISK)
    assert list(df.columns) == comments.COLUMNS
    row = df.iloc[0]
    assert int(row["comment_id"]) == cid and int(row["thread_id"]) == cid
    assert row["author"] == "Ann Planner <ann@example.com>" == ANN.signature
    assert row["body"] == "L2 needs a second shift?" and row["subject_label"] == "L2"
    assert pd.isna(row["reply_to"]) and pd.isna(row["resolved_at"])
    # no label: a risk's key
    comments.post(ann, comments.RISK, "Budget gap: Beta", "below budget")
    assert comments.open_threads(loaded)["subject_label"].tolist()[0] == "Budget gap: Beta"


def test_a_reply_joins_the_thread_and_the_open_list_shows_the_last_comment(
    loaded: Store,
) -> None:
    first = comments.post(loaded.as_actor(ANN), comments.RISK, RISK, "second shift?")
    reply = comments.post(loaded.as_actor(BOB), comments.RISK, RISK, "from March", "", first)
    # a reply to a reply belongs to the same thread
    third = comments.post(loaded.as_actor(EXEC), comments.RISK, RISK, "go ahead", "", reply)
    df = comments.thread(loaded, comments.RISK, RISK)
    assert df["comment_id"].tolist() == [first, reply, third]
    assert df["thread_id"].tolist() == [first] * 3
    assert df["reply_to"].tolist()[1:] == [first, first]
    opened = comments.open_threads(loaded)
    assert len(opened) == 1
    o = opened.iloc[0]
    assert (int(o["thread_id"]), int(o["comments"])) == (first, 3)
    assert o["started_by"] == ANN.signature and o["last_author"] == EXEC.signature
    assert o["last_body"] == "go ahead"
    # a reply must be on the same subject
    with pytest.raises(StoreError, match="another subject"):
        comments.post(loaded, comments.RISK, "Budget gap: Beta", "x", "", first)


def test_resolve_by_the_starter_or_an_owner_only_and_a_resolved_thread_is_closed(
    loaded: Store,
) -> None:
    first = comments.post(loaded.as_actor(ANN), comments.RISK, RISK, "second shift?")
    reply = comments.post(loaded.as_actor(BOB), comments.RISK, RISK, "from March", "", first)
    before = _rows(loaded)
    with pytest.raises(AccessDenied, match="only the person who started it"):
        comments.resolve(loaded.as_actor(BOB), reply)  # may comment, did not start it
    with pytest.raises(AccessDenied):
        comments.resolve(loaded.as_actor(VIEW), first)
    assert _rows(loaded) == before
    assert comments.resolve(loaded.as_actor(OWNER), reply) == first  # any comment of it
    root = comments.thread(loaded, comments.RISK, RISK).iloc[0]
    assert root["resolved_by"] == OWNER.signature and pd.notna(root["resolved_at"])
    assert comments.open_threads(loaded).empty
    with pytest.raises(StoreError, match="already resolved"):
        comments.resolve(loaded.as_actor(ANN), first)
    with pytest.raises(StoreError, match="is resolved"):
        comments.post(loaded.as_actor(ANN), comments.RISK, RISK, "one more", "", first)
    # the starter resolves their own thread; a new comment starts a new thread
    again = comments.post(loaded.as_actor(ANN), comments.RISK, RISK, "back again")
    assert comments.open_threads(loaded)["thread_id"].tolist() == [again]
    assert comments.resolve(loaded.as_actor(ANN), again) == again
    assert comments.may_resolve(EXEC, ANN.signature)
    assert not comments.may_resolve(BOB, ANN.signature)
    # a changed display name is the same person (the e-mail decides)
    assert comments.may_resolve(Actor("ann@example.com", "Ann P.", ANN.roles), ANN.signature)


def test_a_viewer_is_refused_and_nothing_is_stored(loaded: Store) -> None:
    comments.post(loaded, comments.RISK, RISK, "local user's note")
    before = _rows(loaded)
    with pytest.raises(AccessDenied, match="Vic Viewer.*may not comment"):
        comments.post(loaded.as_actor(VIEW), comments.RISK, RISK, "let me in")
    assert _rows(loaded) == before


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("", "empty: write something"),
        ("   \n\t ", "empty: write something"),
        ("x" * (comments.MAX_BODY + 1), "limited to 2,000 characters; this one has 2,001"),
    ],
)
def test_blank_or_long_text_is_refused_with_what_to_do(loaded: Store, body, match) -> None:
    with pytest.raises(StoreError, match=match):
        comments.post(loaded.as_actor(ANN), comments.RISK, RISK, body)
    assert _rows(loaded) == []


def test_text_is_stored_as_typed_and_the_limit_is_inclusive(loaded: Store) -> None:
    hostile = "'); DROP TABLE comments; -- [x](http://evil) <b>=1+1</b> 🙂"
    comments.post(loaded, comments.RISK, RISK, hostile)
    comments.post(loaded, comments.RISK, RISK, "y" * comments.MAX_BODY)
    assert comments.thread(loaded, comments.RISK, RISK)["body"].tolist() == [
        hostile,
        "y" * comments.MAX_BODY,
    ]


def test_subjects_must_exist_for_the_company(loaded: Store) -> None:
    sid = saved_scenarios.save(loaded, "Beta push", Levers(demand_pct=5.0))
    oid = store_overrides.add(
        loaded,
        demand_overrides.as_row(
            demand_overrides.Override(
                level=demand_overrides.LEVEL_FAMILY,
                start_month=pd.Timestamp("2026-01-01"),
                end_month=pd.Timestamp("2026-02-01"),
                kind=demand_overrides.KIND_PCT,
                value=10.0,
                reason="promo",
                family="Alpha",
            )
        ),
    )
    eid = decision_log.add_item(loaded, "2026-01-01", "action", "Confirm L2", "Cleo", "2026-01-15")
    for kind, key in ((comments.SCENARIO, sid), (comments.OVERRIDE, oid), (comments.DECISION, eid)):
        comments.post(loaded, kind, key, f"on {kind}")
        assert comments.thread(loaded, kind, str(key))["body"].tolist() == [f"on {kind}"]
    for kind in (comments.SCENARIO, comments.OVERRIDE, comments.DECISION):
        with pytest.raises(StoreError, match="There is no"):
            comments.post(loaded, kind, 999, "stale id")
    with pytest.raises(StoreError, match="whole numbers"):
        comments.post(loaded, comments.SCENARIO, "1 OR 1=1", "x")
    with pytest.raises(StoreError, match="not on 'plan'"):
        comments.post(loaded, "plan", "1", "x")
    assert len(_rows(loaded)) == 3


def test_every_comment_belongs_to_its_company(loaded: Store) -> None:
    sid = saved_scenarios.save(loaded, "Tiny plan", Levers(demand_pct=5.0))
    first = comments.post(loaded.as_actor(ANN), comments.SCENARIO, sid, "for Tiny Co only")
    comments.post(loaded, comments.RISK, RISK, "a Tiny risk")
    load(loaded, exec_tables(), name="Other Co")  # no company table: named by the dataset
    assert loaded.active().company == "Other Co"
    assert comments.thread(loaded, comments.RISK, RISK).empty
    assert comments.open_threads(loaded).empty
    with pytest.raises(StoreError, match=f"no scenario #{sid} for Other Co"):
        comments.post(loaded, comments.SCENARIO, sid, "crossing over")
    with pytest.raises(StoreError, match=f"no comment #{first} for Other Co"):
        comments.post(loaded, comments.RISK, RISK, "reply across", "", first)
    with pytest.raises(StoreError, match=f"no comment #{first}"):
        comments.resolve(loaded, first)
    mine = comments.post(loaded, comments.RISK, RISK, "Other's own risk note")
    assert comments.open_threads(loaded)["thread_id"].tolist() == [mine]
    tiny = comments.open_threads(loaded, company="tiny")
    assert sorted(tiny["last_body"]) == ["a Tiny risk", "for Tiny Co only"]


def test_open_table_words_and_age() -> None:
    now = datetime(2026, 3, 10, 12, 0)
    threads = pd.DataFrame(
        {
            "thread_id": [1, 2],
            "subject_kind": ["scenario", "risk"],
            "subject_key": ["3", RISK],
            "subject_label": ["#3 Beta push", RISK],
            "started_by": ["a", "b"],
            "started_at": [pd.Timestamp("2026-03-01")] * 2,
            "comments": [2, 1],
            "last_author": ["Ann", "Bob"],
            "last_at": [pd.Timestamp("2026-03-10 11:58"), pd.Timestamp("2026-03-07 09:00")],
            "last_body": ["line one\nline two", "z" * 400],
        }
    )
    t = exec_comments.open_table(threads, now)
    assert t["subject"].tolist() == ["Scenario: #3 Beta push", f"Risk: {RISK}"]
    assert t["age"].tolist() == ["2 min", "3 days"]
    assert t["last_body"].iloc[0] == "line one line two"
    assert len(t["last_body"].iloc[1]) == exec_comments.SHORT and t["last_body"].iloc[1][-1] == "…"
    assert exec_comments.age(now, now) == "just now"
    assert exec_comments.age(pd.Timestamp("2026-03-10 07:00"), now) == "5 h"
    assert exec_comments.age(pd.Timestamp("2026-03-09 11:00"), now) == "1 day"


def test_the_pack_lists_open_comments_escaped_and_as_excel_text(loaded: Store) -> None:
    hostile = '=HYPERLINK("http://evil.example","click") <script>alert(1)</script>'
    comments.post(loaded.as_actor(ANN), comments.RISK, "<b>Budget gap</b>: Beta", hostile)
    done = comments.post(loaded, comments.RISK, RISK, "settled already")
    comments.resolve(loaded, done)
    ctx = executive.context(loaded)
    view = executive.view(loaded, ctx)
    meta = pack.PackMeta("Tiny Co", "tiny", 1, view.cycle, ctx.as_of, "EUR", pack.now())
    threads = comments.open_threads(loaded)
    page = pack.html(view, ctx.tables, meta, ctx.demand, threads)
    assert "<h2>Open comments</h2>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "Risk: &lt;b&gt;Budget gap&lt;/b&gt;: Beta" in page
    assert ANN.signature.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "settled already" not in page
    wb = openpyxl.load_workbook(io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand, threads)))
    ws = wb[exec_comments.SHEET]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Subject", "Last comment", "By"]
    cell = ws.cell(row=2, column=2)
    assert cell.value == hostile and cell.data_type == "s" and cell.quotePrefix
    assert ws.cell(row=2, column=3).value == ANN.signature
    assert ws.max_row == 2  # the resolved thread is not listed
    # no store behind the pack (a folder): no comments part at all
    assert (
        exec_comments.SHEET
        not in openpyxl.load_workbook(
            io.BytesIO(pack.excel(view, ctx.tables, meta, ctx.demand))
        ).sheetnames
    )
    assert "Open comments" not in pack.html(view, ctx.tables, meta, ctx.demand)


def test_two_people_resolving_at_once_resolve_it_once(loaded: Store) -> None:
    first = comments.post(loaded.as_actor(ANN), comments.RISK, RISK, "second shift?")
    outcomes: list[str] = []

    def resolve(actor: Actor) -> None:
        try:
            comments.resolve(loaded.as_actor(actor), first)
            outcomes.append("resolved")
        except StoreError as exc:
            outcomes.append(str(exc))

    workers = [threading.Thread(target=resolve, args=(a,)) for a in (OWNER, EXEC)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(outcomes) == sorted(["resolved", f"Thread #{first} is already resolved."])
    assert comments.thread(loaded, comments.RISK, RISK)["resolved_by"].iloc[0] in (
        OWNER.signature,
        EXEC.signature,
    )


def test_comments_count_among_the_items_a_company_switch_leaves_behind(loaded: Store) -> None:
    from sop.store import scope
    from sop.ui.company import items_text

    company = loaded.active().company
    assert scope.saved_items(loaded, company)["comments"] == 0
    ann = loaded.as_actor(ANN)
    comments.post(ann, comments.RISK, RISK, "L2 needs a second shift?", "L2")
    comments.post(ann, comments.RISK, "Budget gap: Beta", "below budget")
    counts = scope.saved_items(loaded, company)
    assert counts["comments"] == 2 and scope.saved_items(loaded, "Another company")["comments"] == 0
    assert "2 comments" in items_text(counts)
