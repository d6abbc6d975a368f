"""get_FOO_display() through QuickChoiceLabels answers as Django's own does, in the reader's language."""

from django.utils import translation

from kordon.seizures.models import Seizure, SeizureItem


def test_labels_follow_the_language_and_unknown_values_pass_through() -> None:
    seizure = Seizure(transport_mode="road", status="validated", tlp=2)
    with translation.override("en"):
        assert (seizure.get_transport_mode_display(), seizure.get_status_display()) == ("road", "validated")
    with translation.override("ru"):
        assert seizure.get_transport_mode_display() == "автомобильный"
        assert seizure.get_status_display() != "validated"
    seizure.transport_mode = "hovercraft"  # not a choice: shown as stored, as Django does
    assert seizure.get_transport_mode_display() == "hovercraft"
    item = SeizureItem(unit="kg")
    with translation.override("en"):
        assert item.get_unit_display() == "kg"
