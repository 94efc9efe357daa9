"""`lobby token create|list|rotate|revoke` as a user runs it, against a real SQLite file and a real hub."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.support import ROOT


def lobby(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lobby", *args, "--config", str(ROOT / "branch.yml")]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_create_list_revoke(tmp_path: Path, hub_server: str) -> None:
    database = f"sqlite:///{tmp_path / 'hub.db'}"  # the hub_server's database
    created = lobby("token", "create", "--role", "teller", "--name", "Ana", "--database", database)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("lby_") and "shown once" in created.stderr

    httpx.post(f"{hub_server}/api/v1/tickets", json={"service": "cash"}, timeout=10)
    staff = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{hub_server}/api/v1/counters/c1/call-next", headers=staff, timeout=10).status_code == 200

    listed = lobby("token", "list", "--database", database)
    assert listed.returncode == 0 and token not in listed.stdout
    line = next(line for line in listed.stdout.splitlines() if line.endswith("Ana"))
    assert "teller" in line and "active, expires" in line  # hub.staff_token_days after it was made
    token_id = line.split()[0]

    # Rotation: a new token for Ana (same role and name); the old one stops working at once.
    rotated = lobby("token", "rotate", token_id, "--database", database)
    assert rotated.returncode == 0, rotated.stderr
    renewed = rotated.stdout.strip()
    assert renewed.startswith("lby_") and renewed != token and "revoked" in rotated.stderr
    staff = {"Authorization": f"Bearer {renewed}"}
    before = {"Authorization": f"Bearer {token}"}
    old = httpx.post(f"{hub_server}/api/v1/counters/c1/call-next", headers=before, timeout=10)
    assert old.status_code == 401
    assert httpx.post(f"{hub_server}/api/v1/counters/c1/finish", headers=staff, timeout=10).status_code == 200
    listed = lobby("token", "list", "--database", database)
    lines = [line for line in listed.stdout.splitlines() if line.endswith("Ana")]
    assert len(lines) == 2 and sum("revoked" in line for line in lines) == 1
    token_id = next(line.split()[0] for line in lines if "active" in line)

    revoked = lobby("token", "revoke", token_id, "--database", database)
    assert revoked.returncode == 0, revoked.stderr
    refused = httpx.post(f"{hub_server}/api/v1/counters/c1/call-next", headers=staff, timeout=10)
    assert refused.status_code == 401
    assert lobby("token", "revoke", "nope", "--database", database).returncode == 1
    assert lobby("token", "create", "--database", database).returncode == 2
