"""Training again in the background: a request waits for the worker, one at a time, and a request a
dead worker left behind is run again without a second model."""

import datetime
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from kordon.access.models import AuditEntry
from kordon.targeting import services
from kordon.targeting.models import RiskModel, TrainingRequest
from kordon.targeting.tests.test_targeting_flow import UNIT, _history


def test_a_queued_request_is_trained_by_the_worker(world: Any) -> None:
    officer, unit, _today = _history(world, days=40)
    first = services.request_training(actor=officer, unit=unit, name="Aktau")
    assert services.request_training(actor=officer, unit=unit, name="Aktau") == first  # not twice
    assert RiskModel.objects.count() == 0
    call_command("work")
    first.refresh_from_db()
    assert first.status == TrainingRequest.Status.DONE and first.risk_model is not None
    assert first.risk_model.version == 1 and first.attempts == 1
    assert AuditEntry.objects.filter(action="create", object_type="targeting.trainingrequest").count() == 1
    assert AuditEntry.objects.filter(action="train", object_id=str(first.risk_model.pk)).exists()
    second = services.request_training(actor=officer, unit=unit, name="Aktau")
    assert second != first
    assert services.run_training_requests() == 1
    assert RiskModel.objects.get(pk=TrainingRequest.objects.get(pk=second.pk).risk_model_id).version == 2


def test_a_request_that_cannot_train_says_why(world: Any) -> None:
    request = services.request_training(actor=world.user("kz.pcu.aktau"), unit=world.unit(UNIT), name="Empty")
    services.run_training_requests()
    request.refresh_from_db()
    assert request.status == TrainingRequest.Status.FAILED and "at least 200" in request.error
    assert RiskModel.objects.count() == 0


def test_a_request_left_by_a_dead_worker_runs_again_once(world: Any) -> None:
    officer, unit, _today = _history(world, days=40)
    request = services.request_training(actor=officer, unit=unit, name="Aktau")
    # A worker took it an hour ago and died.
    TrainingRequest.objects.filter(pk=request.pk).update(
        status=TrainingRequest.Status.RUNNING,
        started_at=timezone.now() - datetime.timedelta(hours=1),
        attempts=1,
    )
    # One that started a minute ago belongs to a live worker and is left alone.
    busy = TrainingRequest.objects.create(
        owner_unit=unit, name="Other", requested_by=officer, status=TrainingRequest.Status.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=1), attempts=1,
    )  # fmt: skip
    assert services.run_training_requests() == 1
    request.refresh_from_db()
    busy.refresh_from_db()
    assert (request.status, request.attempts) == (TrainingRequest.Status.DONE, 2)
    assert busy.status == TrainingRequest.Status.RUNNING
    assert RiskModel.objects.filter(name="Aktau").count() == 1
