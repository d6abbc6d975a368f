"""The demo's programme evaluation: the SDQ (parent and teacher forms, items by number only) with
pre and post answers for 90 families of a FAST programme in nine schools, and two training
events with their participants.

The answers are generated (seeded): children start with a spread of difficulties and most
improve a little after the eight weeks, as the Central Asian FAST evaluation reported; no real
child or family is behind them.
"""

import datetime
import random
from pathlib import Path

from django.contrib.auth import get_user_model

from kordon.core.models import Unit
from kordon.evaluation import services
from kordon.evaluation.models import Questionnaire, TrainingEvent

DATA = Path(__file__).resolve().parent / "data"
OFFICER, UNIT = "unodc.programme", "unodc-roca-prevention"
SCHOOLS = (
    "Школа № 12, Бишкек", "Школа № 5, Ош", "Школа № 40, Душанбе", "Школа № 3, Худжанд", "Школа № 21, Куляб",
    "Школа № 7, Алматы", "Школа № 112, Шымкент", "Школа № 9, Ашхабад", "Школа № 15, Мары",
)  # fmt: skip
FAMILIES = 90
# Items worded positively (scored in reverse) and the prosocial items: a child who improves
# answers them higher; on every other item, lower.
POSITIVE = {"1", "4", "7", "9", "11", "14", "17", "20", "21", "25"}


def build_evaluation() -> str:
    if Questionnaire.objects.exists():
        return "questionnaires already there"
    officer = get_user_model().objects.get(username=OFFICER)
    unit = Unit.objects.select_related("agency").get(code=UNIT)
    rng = random.Random(2011)  # noqa: S311 - the demo is the same on every machine
    for form in ("sdq_parent_form.md", "sdq_teacher_form.md"):
        questionnaire = services.questionnaire_import(
            actor=officer, unit=unit, content=(DATA / form).read_bytes(), file_name=form
        ).questionnaire
        assert questionnaire is not None, f"the demo form {form} must import"
        responses = []
        for family in range(1, FAMILIES + 1):
            difficulty = rng.random()  # how much trouble the child has before the programme
            gain = rng.gauss(0.06, 0.15)  # how much better after it
            school = SCHOOLS[(family - 1) // 10]
            for wave, level, day in (
                ("pre", difficulty, datetime.date(2011, 2, 14)),
                ("post", difficulty - gain, datetime.date(2011, 4, 18)),
            ):
                answers: dict[str, float | None] = {}
                for item in range(1, 26):
                    key = str(item)
                    trouble = level if key not in POSITIVE else 1 - level
                    answers[key] = float(min(2, max(0, round(trouble * 2 + rng.gauss(0, 0.45)))))
                if rng.random() < 0.03:
                    answers[str(rng.randint(1, 25))] = None  # an item left blank now and then
                responses.append(services.ResponseData(0, f"FAM-{family:03d}", wave, day, answers, school))
        services.responses_save(
            actor=officer, questionnaire_id=questionnaire.pk, responses=responses, source="demo"
        )
    _training(officer, unit, rng)
    return f"2 questionnaires, {FAMILIES} families before and after, {TrainingEvent.objects.count()} training events"


PARTICIPANTS = (
    ("Айгерим Садыкова", "female", "KG", "Министерство образования и науки"),
    ("Бекзод Рахимов", "male", "TJ", "Школа № 40, Душанбе"),
    ("Зарина Юсупова", "female", "TJ", "Министерство образования и науки"),
    ("Канат Ермеков", "male", "KZ", "Школа № 7, Алматы"),
    ("Гульнара Абдиева", "female", "KG", "Школа № 5, Ош"),
    ("Мерген Ашыров", "male", "TM", "Министерство образования"),
    ("Нигора Каримова", "female", "TJ", "НПО «Семья и школа»"),
    ("Салтанат Бекова", "female", "KZ", "Министерство просвещения"),
)


def _training(officer, unit, rng) -> None:  # type: ignore[no-untyped-def]
    for title, start, place, country in (
        ("FAST: подготовка команд", datetime.date(2010, 11, 22), "Душанбе", "TJ"),
        ("FAST: подготовка команд", datetime.date(2011, 1, 17), "Бишкек", "KG"),
    ):
        event = services.event_create(
            actor=officer,
            unit=unit,
            data=services.EventData(
                title, start, start + datetime.timedelta(days=4), place, country, "UNODC ROCA", 32
            ),
        )
        for name, sex, home, agency in rng.sample(PARTICIPANTS, 6):
            services.participant_add(
                actor=officer, event_id=event.pk, data=services.ParticipantData(name, sex, home, agency)
            )
