"""Pushing to and pulling from the loopback Web API emulation, with injected faults."""

from __future__ import annotations

import json

import pytest
import requests

from citekit.zotero.state import SyncState
from citekit.zotero.webapi import ConflictError, Pusher, ZoteroClient, _Op, content_hash, item_key_for, pull, push
from tests.zotero.conftest import zotero_api

PREFIX = "/users/1234"


class Clock:
    """Records the waits the client asks for instead of sleeping through them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client(emu, clock=None, key=None) -> ZoteroClient:
    return ZoteroClient(requests.Session(), "user:1234", key or emu.api_key, base_url=emu.url,
                        sleep=clock or Clock())


def state(tmp_path) -> SyncState:
    return SyncState.load(tmp_path / ".citekit-zotero.json")


def assert_one_each(emu, items):
    by_key = emu.items_by_citation_key(PREFIX)
    assert sorted(by_key) == sorted(i["id"] for i in items)
    assert all(len(v) == 1 for v in by_key.values()), {k: len(v) for k, v in by_key.items() if len(v) != 1}


def test_push_creates_then_is_idempotent(emu, tmp_path, library_items):
    st = state(tmp_path)
    lib = st.library(PREFIX)
    c = client(emu)
    report = push(c, library_items, lib, st.save)
    assert sorted(report.created) == sorted(i["id"] for i in library_items)
    assert report.failed == {} and report.requests == 1  # 14 items, one batch
    assert_one_each(emu, library_items)
    stored = {o["data"]["citationKey"]: o["data"] for o in emu.library(PREFIX).items.values()}
    bill = stored["congress2014revitalize"]
    assert bill["itemType"] == "bill" and bill["billNumber"] == "H.R. 2996"
    assert bill["creators"][0]["creatorType"] == "sponsor"
    # the state file maps citation keys to Zotero keys and versions
    saved = json.loads((tmp_path / ".citekit-zotero.json").read_text())
    entry = saved["libraries"]["users/1234"]["items"]["congress2014revitalize"]
    assert entry["key"] == item_key_for("congress2014revitalize", PREFIX) and entry["version"] == 1
    # second run: nothing to send
    st2 = state(tmp_path)
    c2 = client(emu)
    again = push(c2, library_items, st2.library(PREFIX), st2.save)
    assert sorted(again.unchanged) == sorted(report.created) and c2.requests == 0


def test_changed_entry_is_updated_in_place(emu, tmp_path, library_items):
    st = state(tmp_path)
    push(client(emu), library_items, st.library(PREFIX), st.save)
    edited = [dict(i, title=i["title"] + " (rev.)") if i["id"] == "crs2019mep" else i for i in library_items]
    report = push(client(emu), edited, st.library(PREFIX), st.save)
    assert report.updated == ["crs2019mep"] and report.created == []
    assert_one_each(emu, library_items)
    obj = emu.items_by_citation_key(PREFIX)["crs2019mep"][0]
    assert obj["data"]["title"].endswith("(rev.)") and obj["version"] == 2


def test_batches_of_at_most_50(emu, tmp_path):
    items = [{"id": f"k{i}", "type": "report", "title": f"Report {i}", "number": f"R{i}"} for i in range(120)]
    st = state(tmp_path)
    report = push(client(emu), items, st.library(PREFIX), st.save)
    assert len(report.created) == 120 and emu.batch_sizes == [50, 50, 20]
    assert_one_each(emu, items)


def test_dropped_response_after_apply_never_duplicates(emu, tmp_path):
    items = [{"id": f"k{i}", "type": "webpage", "title": f"Page {i}", "URL": f"https://e.org/{i}"}
             for i in range(120)]
    emu.add_fault("drop", skip=1)  # the second batch is applied, its response lost
    st = state(tmp_path)
    report = push(client(emu), items, st.library(PREFIX), st.save)
    assert len(report.created) == 120 and report.failed == {}
    assert_one_each(emu, items)
    assert ("POST", f"{PREFIX}/items", 0) in emu.log
    assert ("POST", f"{PREFIX}/items", 412) in emu.log  # same write token: "already used"
    # and the state knows every item, so a re-run is a no-op
    st2 = state(tmp_path)
    c = client(emu)
    assert len(push(c, items, st2.library(PREFIX), st2.save).unchanged) == 120 and c.requests == 0


def test_dropped_update_response(emu, tmp_path, library_items):
    st = state(tmp_path)
    push(client(emu), library_items, st.library(PREFIX), st.save)
    edited = [dict(i, title="New") for i in library_items]
    emu.add_fault("drop")
    report = push(client(emu), edited, st.library(PREFIX), st.save)
    assert sorted(report.updated) == sorted(i["id"] for i in library_items) and report.failed == {}
    assert_one_each(emu, library_items)
    assert all(o["data"]["title"] == "New" for o in emu.library(PREFIX).items.values())


def test_429_mid_run_and_backoff_are_honoured(emu, tmp_path):
    items = [{"id": f"k{i}", "type": "report", "title": f"R {i}"} for i in range(150)]
    emu.add_fault("429", skip=1, seconds=7)
    emu.add_fault("backoff", skip=2, seconds=3)
    emu.add_fault("503", skip=2, seconds=2)
    clock = Clock()
    st = state(tmp_path)
    report = push(client(emu, clock), items, st.library(PREFIX), st.save)
    assert len(report.created) == 150 and report.failed == {}
    assert_one_each(emu, items)
    assert 7 in clock.waits and 2 in clock.waits
    assert any(2 < w <= 3 for w in clock.waits)  # the Backoff delay before the next request
    assert ("POST", f"{PREFIX}/items", 429) in emu.log


def test_lost_state_adopts_existing_items(emu, tmp_path, library_items):
    st = state(tmp_path)
    push(client(emu), library_items, st.library(PREFIX), st.save)
    (tmp_path / ".citekit-zotero.json").unlink()
    fresh = state(tmp_path)
    report = push(client(emu), library_items, fresh.library(PREFIX), fresh.save)
    assert report.failed == {} and report.created == []
    assert sorted(report.unchanged) == sorted(i["id"] for i in library_items)
    assert_one_each(emu, library_items)


def test_item_edited_in_zotero_is_reported_then_forced(emu, tmp_path, library_items):
    st = state(tmp_path)
    push(client(emu), library_items, st.library(PREFIX), st.save)
    zkey = st.library(PREFIX).items["crs2019mep"].key
    emu.edit_item(PREFIX, zkey, abstractNote="written in Zotero")
    edited = [dict(i, title="Changed") if i["id"] in ("crs2019mep", "nist2020mep") else i for i in library_items]
    report = push(client(emu), edited, st.library(PREFIX), st.save)
    assert report.updated == ["nist2020mep"]
    assert "crs2019mep" in report.failed and "changed in Zotero since the last push" in report.failed["crs2019mep"]
    forced = push(client(emu), edited, st.library(PREFIX), st.save, force=True)
    assert forced.updated == ["crs2019mep"] and forced.failed == {}
    assert emu.items_by_citation_key(PREFIX)["crs2019mep"][0]["data"]["title"] == "Changed"


def test_concurrent_writer_stops_the_run_with_a_clear_message(emu, tmp_path):
    items = [{"id": f"k{i}", "type": "report", "title": f"R {i}"} for i in range(120)]
    emu.add_fault("bump", skip=1)
    st = state(tmp_path)
    with pytest.raises(ConflictError, match="modified by someone else"):
        push(client(emu), items, st.library(PREFIX), st.save)
    # what landed is recorded; a re-run finishes without duplicates
    assert len(state(tmp_path).library(PREFIX).items) == 50
    st2 = state(tmp_path)
    report = push(client(emu), items, st2.library(PREFIX), st2.save)
    assert len(report.created) == 70 and len(report.unchanged) == 50
    assert_one_each(emu, items)


def test_per_item_400_reported_by_citation_key(emu, tmp_path):
    st = state(tmp_path)
    lib = st.library(PREFIX)
    good = {"itemType": "bill", "title": "Good", "billNumber": "H.R. 1", "citationKey": "good"}
    bad = {"itemType": "bill", "title": "Bad", "number": "H.R. 2", "citationKey": "bad"}
    ops = [_Op("good", dict(good, key=item_key_for("good", PREFIX), version=0), content_hash(good), "create"),
           _Op("bad", dict(bad, key=item_key_for("bad", PREFIX), version=0), content_hash(bad), "create")]
    report = Pusher(client(emu), lib, st.save).run(ops)
    assert report.created == ["good"]
    assert report.failed == {"bad": "400: 'number' is not a valid field for type 'bill'"}


def test_collection_created_once(emu, tmp_path, library_items):
    st = state(tmp_path)
    push(client(emu), library_items, st.library(PREFIX), st.save, collection="citekit")
    lib = emu.library(PREFIX)
    assert [c["data"]["name"] for c in lib.collections.values()] == ["citekit"]
    ckey = next(iter(lib.collections))
    assert all(o["data"]["collections"] == [ckey] for o in lib.items.values())
    fresh = SyncState.load(tmp_path / "other.json")  # no cached collection key: found by name
    push(client(emu), library_items, fresh.library(PREFIX), fresh.save, collection="citekit")
    assert len(lib.collections) == 1


def test_push_then_pull_gives_back_the_same_items(emu, tmp_path, library_items):
    st = state(tmp_path)
    push(client(emu), library_items, st.library(PREFIX), st.save)
    fresh = SyncState.load(tmp_path / "pull.json")
    result = pull(client(emu), fresh.library(PREFIX), page_size=5)  # paged: 3 pages
    assert sorted(r["id"] for r in result.items) == sorted(i["id"] for i in library_items)
    back = {r["id"]: r for r in result.items}
    for item in library_items:
        got = {k: ({"date-parts": v["date-parts"]} if isinstance(v, dict) and "date-parts" in v else v)
               for k, v in back[item["id"]].items()}
        assert got == item
    # incremental: nothing new since the last pull, then one edit
    assert pull(client(emu), fresh.library(PREFIX)).items == []
    emu.edit_item(PREFIX, item_key_for("crs2019mep", PREFIX), title="Edited in Zotero")
    changed = pull(client(emu), fresh.library(PREFIX))
    assert [i["id"] for i in changed.items] == ["crs2019mep"] and changed.items[0]["title"] == "Edited in Zotero"


def test_emulator_semantics(emu):
    s = requests.Session()
    h = {"Zotero-API-Key": emu.api_key, "Zotero-API-Version": "3"}
    url = f"{emu.url}{PREFIX}/items"
    item = {"itemType": "report", "title": "T"}
    r = s.post(url, json=[item] * 51, headers=h)
    assert r.status_code == 413
    r = s.post(url, json=[item], headers=dict(h, **{"Zotero-Write-Token": "a" * 32}))
    assert r.status_code == 200 and r.json()["success"]["0"] and r.headers["Last-Modified-Version"] == "1"
    assert s.post(url, json=[item], headers=dict(h, **{"Zotero-Write-Token": "a" * 32})).status_code == 412
    r = s.post(url, json=[item], headers=dict(h, **{"If-Unmodified-Since-Version": "0"}))
    assert r.status_code == 412 and "expected 0, found 1" in r.text
    key = r = s.post(url, json=[item], headers=h).json()["success"]["0"]
    r = s.post(url, json=[dict(item, key=key)], headers=h).json()
    assert r["failed"]["0"]["code"] == 428
    r = s.post(url, json=[dict(item, key=key, version=0)], headers=h).json()
    assert r["failed"]["0"]["code"] == 412
    r = s.post(url, json=[dict(item, key="ABCDEFGH", version=5)], headers=h).json()
    assert r["failed"]["0"]["code"] == 404
    r = s.post(url, json=[dict(item, key=key, version=2)], headers=h).json()
    assert r["unchanged"] == {"0": key}
    r = s.post(url, json=[{"itemType": "bill", "title": "x", "reportNumber": "1"}], headers=h).json()
    assert r["failed"]["0"]["code"] == 400
    assert s.post(url, json=[item], headers={"Zotero-API-Key": "wrong"}).status_code == 403


def test_emulator_module_is_shared():
    assert zotero_api.ZoteroAPIEmulator


def test_collection_creation_survives_a_dropped_response(emu, tmp_path, library_items):
    emu.add_fault("drop", path_part="/collections")
    st = state(tmp_path)
    report = push(client(emu), library_items, st.library(PREFIX), st.save, collection="citekit")
    assert report.failed == {} and len(emu.library(PREFIX).collections) == 1
    assert_one_each(emu, library_items)


def test_dropped_get_is_retried(emu, tmp_path, library_items):
    st = state(tmp_path)
    push(client(emu), library_items, st.library(PREFIX), st.save)
    emu.add_fault("drop", method="GET")
    result = pull(client(emu), SyncState.load(tmp_path / "p.json").library(PREFIX))
    assert len(result.items) == len(library_items)
    assert any(status == 0 and method == "GET" for method, _, status in emu.log)


def test_item_deleted_in_zotero(emu, tmp_path, library_items):
    st = state(tmp_path)
    push(client(emu), library_items, st.library(PREFIX), st.save)
    emu.delete_item(PREFIX, st.library(PREFIX).items["crs2019mep"].key)
    edited = [dict(i, title="Changed") if i["id"] == "crs2019mep" else i for i in library_items]
    report = push(client(emu), edited, st.library(PREFIX), st.save)
    assert "deleted in Zotero" in report.failed["crs2019mep"]
    pulled = pull(client(emu), st.library(PREFIX), since=0)
    assert pulled.deleted == [item_key_for("crs2019mep", PREFIX)]
    forced = push(client(emu), edited, st.library(PREFIX), st.save, force=True)
    assert forced.created == ["crs2019mep"] and forced.failed == {}
    assert_one_each(emu, library_items)
