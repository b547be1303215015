"""/report with many services: every chart stays within Telegram's photo limit
(width + height <= 10000 px), so sendPhoto never fails."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.db.feedback import FeedbackAnswer, FeedbackResponse, SurveyDraft
from bot.db.models import User, utcnow
from bot.services.feedback_chart import ChartSeries, distribution_chart
from tests import factories
from tests.conftest import make_settings
from tests.handlers.feedback_support import copy_knowledge

SERVICES = 60


@pytest.fixture
def settings(db_url, tmp_path):  # type: ignore[no-untyped-def]
    folder = copy_knowledge(tmp_path)
    extra = "".join(f"  - id: svc{i:02d}\n    name: {{en: Service {i:02d}}}\n"
                    f"    description: {{en: A service.}}\n    round: 1\n    active: true\n"
                    for i in range(SERVICES - 1))
    path = folder / "services.yaml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return make_settings(db_url, knowledge_dir=folder)


async def test_sixty_services_give_photos_telegram_accepts(harness, session):
    services = ["coaching"] + [f"svc{i:02d}" for i in range(SERVICES - 1)]
    assert set(services) <= set(harness.runtime.index.kb.services)
    now = utcnow()
    for uid, service in enumerate(services, 1):
        session.add(User(id=uid, role="user", first_seen=now, last_seen=now))
        await session.flush()
        response = FeedbackResponse(user_id=uid, survey_id="pilot-service", service_id=service,
                                    round=1, language="en", submitted_at=now)
        session.add(response)
        await session.flush()
        session.add_all([
            FeedbackAnswer(response_id=response.id, question_id="overall", number=uid % 5 + 1),
            FeedbackAnswer(response_id=response.id, question_id="recommend", number=uid % 11),
            SurveyDraft(user_id=uid, survey_id="pilot-service", service_id=service,
                        status="submitted", step=7, answers={}),
        ])
    await session.commit()
    calls = await harness.say("/report", user_id=factories.ADMIN_ID)
    photos = [c for c in calls if c.method == "sendPhoto"]
    for photo in photos:
        _assert_fits(photo.params["_files"]["photo"][1])
    assert len(photos) == 3  # 25 + 25 + 10 services


def _assert_fits(png: bytes) -> None:
    width, height = Image.open(io.BytesIO(png)).size
    assert width + height <= 10000 and height / width <= 20, (width, height)


def test_one_chart_of_many_services_still_fits():
    empty = ChartSeries("S", {str(v): 0 for v in range(1, 6)}, {str(v): 0 for v in range(11)})
    _assert_fits(distribution_chart([empty] * SERVICES, "ratings", "NPS"))
