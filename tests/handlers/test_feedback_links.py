"""Feedback invitations that are forged, mistyped or retired still get a useful answer."""

from __future__ import annotations

GROUP = {"id": -100123, "type": "supergroup", "title": "Cluster managers"}


async def test_a_forged_invitation_in_a_group_points_to_the_private_chat_without_it(harness):
    for payload in ("fb_" + "x" * 4100, "fb_<b>&"):
        (reply,) = harness.messages(await harness.say(f"/start {payload}", chat=GROUP))
        assert "https://t.me/" in reply.text and "?start=" not in reply.text
        assert reply.text.count("<a ") == reply.text.count("</a>") == 1


async def test_a_valid_invitation_in_a_group_keeps_its_link(harness):
    (reply,) = harness.messages(await harness.say("/start fb_coaching", chat=GROUP))
    assert "?start=fb_coaching" in reply.text


async def test_a_mistyped_invitation_in_private_offers_the_open_services(harness):
    (reply,) = harness.messages(await harness.say("/start fb_coachin"))
    assert any(data.startswith("fbs:") for _, data in reply.buttons)
