"""The outbox failure and claim tests again on PostgreSQL (real row locks, conditional
updates under READ COMMITTED), when S3BOT_TEST_POSTGRES_URL names a scratch database.

The test functions are imported: pytest collects them here, with this module's fixtures.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import POSTGRES_ENV, make_settings, reset_postgres
from tests.handlers.test_digest_outage import (  # noqa: F401
    moment,
    test_a_digest_undelivered_for_a_day_is_folded_into_the_next,
    test_a_five_minute_outage_delays_the_digest_but_does_not_lose_it,
)
from tests.services.test_digest_support import make_knowledge
from tests.services.test_outbox_claims import (  # noqa: F401
    test_a_sender_stops_when_its_claim_is_taken_mid_digest,
    test_a_starting_bot_takes_back_only_an_earlier_bots_claims,
    test_only_the_claim_holder_records_settles_or_defers,
)
from tests.services.test_outbox_failures import (  # noqa: F401
    test_a_digest_that_finally_fails_gives_its_period_back,
    test_a_network_outage_is_retried_until_the_deadline,
    test_a_row_that_cannot_be_recorded_does_not_abort_the_others,
    test_one_failed_commit_is_retried_and_nothing_is_sent_twice,
)


@pytest.fixture
async def db_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"set {POSTGRES_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)")
    await reset_postgres(url)
    return url


@pytest.fixture
def settings(db_url, tmp_path):  # type: ignore[no-untyped-def]
    return make_settings(db_url, knowledge_dir=make_knowledge(tmp_path))
