"""No comment a planner made on a risk is lost when its item goes: stock-out risk items
were per SKU ("Stock-out risk: A1 (Alpha 1)") and are per family now ("Stock-out risk:
Alpha"), so a thread kept on an old SKU key found no item and was drawn nowhere (the
Executive page offered only the plan's items' keys). Now an old SKU thread shows under
its family's stock-out item (read and resolved there, new comments on the family's
item), and any other thread whose item is gone (a bottleneck that no longer binds) is an
earlier item, offered under its first title and last comment's date and still
answerable. Every list keeps one company's threads; typed text is escaped."""

from __future__ import annotations

import pandas as pd
import pytest
from exec_helpers import exec_tables, load
from streamlit.testing.v1 import AppTest

from sop.core import schema
from sop.executive import comments as exec_comments
from sop.executive.risks import BOTTLENECK, BUDGET, STOCKOUT
from sop.store import Store, StoreError, comments
from sop.ui import comments as comments_ui

OLD_SKU = comments.risk_key(STOCKOUT, "A1 (Alpha 1)")  # the per-SKU item's key
ALPHA = comments.risk_key(STOCKOUT, "Alpha")  # the family item it belongs to now
OLD_SKU_BETA = comments.risk_key(STOCKOUT, "B1 (Beta 1)")  # Beta: no stock-out item now
GONE = comments.risk_key(BOTTLENECK, "L9 (Old *line*)")  # no longer binds
LIVE = comments.risk_key(BUDGET, "Beta")
NOTE = "Order **more** [now](http://evil.example)"


@pytest.fixture
def loaded(store: Store) -> Store:
    load(store)
    return store


def _post_all(store: Store) -> dict[str, int]:
    ids = {
        OLD_SKU: comments.post(store, comments.RISK, OLD_SKU, NOTE, OLD_SKU),
        OLD_SKU_BETA: comments.post(store, comments.RISK, OLD_SKU_BETA, "B1 runs short"),
        GONE: comments.post(store, comments.RISK, GONE, "second shift on L9?"),
        LIVE: comments.post(store, comments.RISK, LIVE, "budget talk"),
    }
    comments.post(store, comments.RISK, GONE, "done: L9 has 2 shifts", "", ids[GONE])
    comments.resolve(store, ids[GONE])  # a resolved thread is kept too
    return ids


def test_every_risk_subject_with_comments_is_listed_for_its_company_only(loaded: Store) -> None:
    _post_all(loaded)
    stored = comments.subjects(loaded, comments.RISK)
    assert list(stored.columns) == comments.SUBJECT_COLUMNS
    assert sorted(stored["subject_key"]) == sorted([OLD_SKU, OLD_SKU_BETA, GONE, LIVE])
    gone = stored.set_index("subject_key").loc[GONE]
    assert (gone["threads"], gone["open"]) == (1, 0)  # resolved, still listed
    assert gone["last_at"] > gone["started_at"]
    # another company's store lists none of them, and its own only
    load(loaded, exec_tables(), name="Other Co")
    assert comments.subjects(loaded, comments.RISK).empty
    comments.post(loaded, comments.RISK, OLD_SKU, "Other's note")
    assert comments.subjects(loaded, comments.RISK)["threads"].tolist() == [1]
    assert len(comments.subjects(loaded, comments.RISK, company="tiny")) == 4
    with pytest.raises(StoreError, match="No comments are kept on 'plan'"):
        comments.subjects(loaded, "plan")


def test_an_old_sku_thread_shows_under_its_family_and_a_vanished_item_is_earlier(
    loaded: Store,
) -> None:
    _post_all(loaded)
    stored = comments.subjects(loaded, comments.RISK)
    products = exec_tables()[schema.PRODUCTS]
    moved, earlier = exec_comments.placed(stored, [ALPHA, LIVE], products)
    assert moved == {ALPHA: [OLD_SKU]}
    # Beta has no stock-out item now: its SKU thread is an earlier item, as the bottleneck
    assert sorted(earlier["subject_key"]) == sorted([OLD_SKU_BETA, GONE])
    row = earlier.set_index("subject_key").loc[GONE]
    assert row["subject_label"] == GONE
    when = f"{pd.Timestamp(row['last_at']):%d %b %Y}"
    assert exec_comments.earlier_option(row) == (
        f"Earlier item · {GONE} · last comment {when} · 1 thread"
    )
    assert exec_comments.option(ALPHA, moved) == f"{ALPHA} (+ 1 earlier SKU item)"
    # with no family item on screen at all, the SKU thread is an earlier item too
    moved, earlier = exec_comments.placed(stored, [LIVE], products)
    assert moved == {} and len(earlier) == 3
    assert exec_comments.family_key(OLD_SKU, exec_comments.sku_families(products)) == ALPHA
    assert exec_comments.family_key("A1 (Alpha 1)", exec_comments.sku_families(products)) is None


def _page() -> None:
    import pandas as pd

    from sop.ui import comments as comments_ui

    risks = pd.DataFrame(
        {"category": ["Stock-out risk", "Budget gap"], "subject": ["Alpha", "Beta"]}
    )
    comments_ui.risk_thread(risks)


def test_the_executive_threads_show_every_stored_thread(loaded: Store) -> None:
    ids = _post_all(loaded)
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception, at.exception
    pick = at.selectbox(key="exe_cmt_pick")
    assert pick.options[:2] == [f"{ALPHA} (+ 1 earlier SKU item)", LIVE]
    earlier = pick.options[2:]
    assert len(earlier) == 2 and all(o.startswith("Earlier item · ") for o in earlier)
    assert any(GONE in o for o in earlier) and any(OLD_SKU_BETA in o for o in earlier)
    # the family's item carries the old SKU thread, escaped, with a Resolve button
    assert pick.value == ALPHA
    shown = " ".join(m.value for m in at.markdown)
    assert "Order \\*\\*more\\*\\* \\[now\\]\\(http" in shown and "](http" not in shown
    assert any(
        "From the earlier item" in c.value and "A1 \\(Alpha 1\\)" in c.value for c in at.caption
    )
    assert [b.label for b in at.button].count(comments_ui.RESOLVE) == 1
    # a new comment goes on the family's item
    at.text_area(key=f"{comments_ui.prefix(comments.RISK, ALPHA)}_body").input("per family now")
    next(b for b in at.button if b.label == comments_ui.POST).click().run()
    assert not at.exception, at.exception
    assert comments.thread(loaded, comments.RISK, ALPHA)["body"].tolist() == ["per family now"]
    assert comments.thread(loaded, comments.RISK, OLD_SKU)["body"].tolist() == [NOTE]
    # the vanished bottleneck: its resolved thread is read, and a reply starts a new one
    at.selectbox(key="exe_cmt_pick").set_value(GONE).run()
    assert not at.exception, at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "done\\: L9 has 2 shifts" in shown
    assert any("Old \\*line\\*" in c.value for c in at.caption)  # the name escaped
    at.text_area(key=f"{comments_ui.prefix(comments.RISK, GONE)}_body").input("back again?")
    next(b for b in at.button if b.label == comments_ui.POST).click().run()
    assert not at.exception, at.exception
    df = comments.thread(loaded, comments.RISK, GONE)
    assert df["body"].tolist()[-1] == "back again?" and df["thread_id"].nunique() == 2
    assert int(df["thread_id"].iloc[0]) == ids[GONE]


def test_resolving_an_old_earlier_thread_keeps_it_offered(loaded: Store) -> None:
    """Review: the 90-day rule read the last comment only, so resolving a thread last
    commented on 100 days ago made its earlier item vanish from the picker at once (and
    its "resolved" message with it). Its last activity is the resolution."""
    tid = comments.post(loaded, comments.RISK, GONE, "second shift on L9?")
    with loaded.connect() as con:
        con.execute(
            "UPDATE comments SET posted_at = posted_at - INTERVAL 100 DAY WHERE comment_id = ?",
            [tid],
        )
    stored = comments.subjects(loaded, comments.RISK)
    now = comments._now()
    _, earlier = exec_comments.placed(stored, [LIVE], pd.DataFrame())
    offered, older = exec_comments.recent(earlier, now)
    assert offered["subject_key"].tolist() == [GONE]  # open: offered
    comments.resolve(loaded, tid)
    stored = comments.subjects(loaded, comments.RISK)
    row = stored.set_index("subject_key").loc[GONE]
    assert row["last_at"] < now - pd.Timedelta(days=99) <= row["active_at"]
    _, earlier = exec_comments.placed(stored, [LIVE], pd.DataFrame())
    offered, older = exec_comments.recent(earlier, now)
    assert offered["subject_key"].tolist() == [GONE] and older.empty
    # a resolution 100 days old too: behind the switch, as before
    with loaded.connect() as con:
        con.execute(
            "UPDATE comments SET resolved_at = resolved_at - INTERVAL 100 DAY WHERE comment_id = ?",
            [tid],
        )
    _, earlier = exec_comments.placed(
        comments.subjects(loaded, comments.RISK), [LIVE], pd.DataFrame()
    )
    offered, older = exec_comments.recent(earlier, now)
    assert offered.empty and older["subject_key"].tolist() == [GONE]
