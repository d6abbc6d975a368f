"""The audit trail: every write, detail read, export and log-in appends a hash-chained line, in the
transaction of the change; `kordon audit verify` finds any line changed, removed or cut off."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from kordon.access.audit import audit_log, entry_hash, verify_chain
from kordon.access.models import AuditEntry
from kordon.conftest import PASSWORD
from kordon.seizures.services import seizure_data_from, seizure_delete, seizure_update


def last_line(action: str | None = None) -> AuditEntry:
    lines = AuditEntry.objects.order_by("-seq")
    if action:
        lines = lines.filter(action=action)
    return lines.first()


def test_a_recorded_seizure_is_audited_with_what_was_written(world: Any, make_seizure: Any) -> None:
    officer = world.user("kg.blo.dostuk")
    seizure = make_seizure("kg-dcs-blo-dostuk", actor=officer, reference="AUD-1")
    line = last_line()
    assert (line.action, line.object_type, line.object_id) == ("create", "seizures.seizure", str(seizure.pk))
    assert line.actor == officer and line.actor_unit == world.unit("kg-dcs-blo-dostuk")
    assert line.object_owner_unit == world.unit("kg-dcs-blo-dostuk")
    assert line.before is None and line.after["reference"] == "AUD-1"
    assert line.after["items"][0]["quantity"] == "1.500000"


def test_an_update_keeps_before_and_after(world: Any, make_seizure: Any) -> None:
    officer = world.user("kg.blo.dostuk")
    seizure = make_seizure("kg-dcs-blo-dostuk", actor=officer, reference="AUD-2")
    data = seizure_data_from(seizure)
    data.narrative = "found by the dog"
    seizure_update(actor=officer, seizure_id=seizure.pk, data=data)
    line = last_line()
    assert line.action == "update"
    assert line.before["narrative"] == "" and line.after["narrative"] == "found by the dog"


def test_a_deletion_keeps_a_copy_of_the_record(world: Any, make_seizure: Any) -> None:
    seizure = make_seizure("kg-dcs-blo-dostuk", reference="AUD-3")
    seizure_delete(actor=world.user("kg.supervisor"), seizure_id=seizure.pk)
    line = last_line()
    assert line.action == "delete" and line.before["reference"] == "AUD-3" and line.after is None


def test_a_refused_change_leaves_no_line(world: Any, make_seizure: Any) -> None:
    seizure = make_seizure("kg-dcs-blo-dostuk", reference="AUD-4")
    before = AuditEntry.objects.count()
    data = seizure_data_from(seizure)
    data.container_number = "MSKU1234566"  # wrong check digit
    with pytest.raises(ValidationError):
        seizure_update(actor=world.user("kg.blo.dostuk"), seizure_id=seizure.pk, data=data)
    assert AuditEntry.objects.count() == before


def test_reading_a_detail_and_exporting_are_audited_with_the_client_address(
    world: Any, make_seizure: Any
) -> None:
    seizure = make_seizure("kg-dcs-blo-dostuk", reference="AUD-5")
    client = world.client("kg.analyst")
    client.get(f"/seizures/{seizure.pk}/", REMOTE_ADDR="10.20.30.40")
    view = last_line("view")
    assert view.actor.username == "kg.analyst" and view.object_id == str(seizure.pk)
    assert view.client_address == "10.20.30.40" and len(view.request_id) == 36
    b"".join(client.get("/seizures/export/xlsx/", {"country": "KG"}).streaming_content)
    export = last_line("export")
    assert export.actor.username == "kg.analyst"
    assert export.after["format"] == "xlsx" and export.after["filters"] == {"country": "KG"}


def test_log_ins_and_failed_log_ins_are_audited(world: Any) -> None:
    client = Client()
    client.post("/login/", {"username": "kg.blo.dostuk", "password": "wrong"})
    failed = last_line("login_failed")
    assert failed.actor is None and failed.actor_name == "kg.blo.dostuk"
    client.post("/login/", {"username": "kg.blo.dostuk", "password": PASSWORD})
    assert last_line("login").actor.username == "kg.blo.dostuk"
    client.post("/logout/")
    assert last_line("logout").actor.username == "kg.blo.dostuk"


def test_audit_refuses_to_write_outside_a_transaction(transactional_world: Any) -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        audit_log(actor=None, action="create", object_type="x")


def test_the_chain_verifies_and_the_cli_says_so(world: Any, make_seizure: Any, capsys: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk")
    report = verify_chain()
    assert report.ok and report.checked == AuditEntry.objects.count()
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def _execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_changed_line_is_named(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk")
    target = AuditEntry.objects.order_by("seq")[2]
    _execute("UPDATE access_auditentry SET object_repr = %s WHERE seq = %s", ["tampered", target.seq])
    report = verify_chain()
    assert not report.ok and report.first_broken == target.seq and "changed" in report.reason
    with pytest.raises(CommandError, match=f"broken at line {target.seq}"):
        call_command("audit", "verify")


def test_a_removed_line_is_named(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk")
    target = AuditEntry.objects.order_by("seq")[3]
    _execute("DELETE FROM access_auditentry WHERE seq = %s", [target.seq])
    report = verify_chain()
    assert not report.ok and report.first_broken == target.seq and "missing" in report.reason


def test_a_cut_off_tail_is_noticed(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk")
    last = AuditEntry.objects.order_by("-seq").first()
    _execute("DELETE FROM access_auditentry WHERE seq = %s", [last.seq])
    report = verify_chain()
    assert not report.ok and report.first_broken == last.seq and "end" in report.reason


def test_a_rewritten_line_with_a_fresh_hash_breaks_the_next_one(world: Any, make_seizure: Any) -> None:
    """Recomputing a changed line's own hash does not help: the next line still points at the old one."""
    make_seizure("kg-dcs-blo-dostuk")
    target = AuditEntry.objects.order_by("seq")[1]
    target.object_repr = "rewritten"
    _execute(
        "UPDATE access_auditentry SET object_repr = %s, hash = %s WHERE seq = %s",
        ["rewritten", entry_hash(target), target.seq],
    )
    report = verify_chain()
    assert not report.ok and report.first_broken == target.seq + 1


def test_the_audit_page_is_for_supervisors_and_administrators(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk", actor=world.user("kg.blo.dostuk"), reference="AUD-KG")
    make_seizure("uz-customs-blo-dustlik", actor=world.user("uz.blo.dustlik"), reference="AUD-UZ")
    assert world.client("kg.blo.dostuk").get("/access/audit/").status_code == 403
    supervisor_page = (
        world.client("kg.supervisor").get("/access/audit/", {"action": "create"}).content.decode()
    )
    assert "AUD-KG" in supervisor_page and "AUD-UZ" not in supervisor_page
    admin_page = world.client("admin").get("/access/audit/", {"action": "create"}).content.decode()
    assert "AUD-KG" in admin_page and "AUD-UZ" in admin_page


def test_an_administrator_verifies_the_chain_from_the_page(world: Any) -> None:
    response = world.client("admin").post("/access/audit/verify/", follow=True)
    assert "The audit trail is intact" in response.content.decode()
    assert last_line("audit_verify").after["ok"] is True
    assert world.client("kg.supervisor").post("/access/audit/verify/").status_code == 403
