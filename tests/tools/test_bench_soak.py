"""A short soak (`lobby bench soak`) in CI: the real `lobby up`, the real hub and its SQLite file, the real
supervisor; the whole crowd of clients (20 kiosks, 50 app chats, 10 displays, 3 consoles) for 30 s, while
the database is locked, the action server is killed with SIGKILL and then the hub is. Every ticket a kiosk
was given must be in the database, nothing twice, every part restarted by `lobby up` itself, and SIGTERM
must stop it all.

Rasa takes a minute or more to load, so `lobby up` runs here with the supervision tests' stand-ins for Rasa
and the action server (tests/supervision/entry.py): chat turns get the hub's touch menu. The long run
(`lobby bench soak --minutes 10`, README) has the real dialogue engine and kills Rasa too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lobby_tools.bench_soak import SoakOptions, run_soak
from lobby_tools.bench_soak_faults import parse_faults
from lobby_tools.bench_soak_load import Load, Op
from tests.support import ROOT


@pytest.mark.timeout(150)
def test_short_soak_with_a_db_block_an_action_server_kill_and_a_hub_kill_loses_nothing(tmp_path: Path) -> None:
    options = SoakOptions(
        config=str(ROOT / "branch.yml"),
        seconds=30,
        faults=parse_faults("db@4:4,actions@10,hub@15"),
        launcher=(sys.executable, "-m", "tests.supervision.entry", str(tmp_path)),
        cwd=ROOT,
        load=Load(kiosk_think=(1.0, 3.0)),  # busier kiosks than the long run: more tickets in flight at the kill
        drain_s=45,
        ready_timeout_s=90,
    )

    result = run_soak(options)

    books = result["audit"]
    assert books["lost"] == [], books
    assert books["acknowledged"] == books["present"] >= 40, books
    assert books["mismatched_key_or_number"] == [] and books["present_unacknowledged"] == [], books
    assert books["duplicate_count"] == 0, books["duplicates"]
    assert books["rejected"] == [] and books["abandoned_by_clients"] == [], books
    # The hub's kill reached the kiosks (tickets were asked for again) and they still got every ticket.
    assert result["errors"].get("ticket", {}).get("connect", 0) > 0, result["errors"]
    assert books["retried_tickets"] > 0, books
    faults = {window["kind"]: window for window in result["faults"]}
    assert faults.keys() == {"db", "actions", "hub"}, result["faults"]
    assert all(window["recovered"] for window in faults.values()), result["faults"]
    for part in ("actions", "hub"):  # restarted by lobby up's supervisor: a new pid, and it says so
        assert faults[part]["restarted_pid"] != faults[part]["killed_pid"]
        assert any(f"(pid {faults[part]['killed_pid']}) died" in line for line in result["branch"]["supervisor_log"])
    during_hub = result["phases"].get("during:hub", {})
    assert during_hub.get(str(Op.TICKET), {}).get("errors"), during_hub
    stop = result["branch"]["stop"]
    assert stop["exit_code"] == 0 and stop["ports_still_held"] == {}, stop
    assert result["bars"]["none_lost"]["met"] and result["bars"]["no_duplicates"]["met"]
