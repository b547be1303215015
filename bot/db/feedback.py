"""Tables of the SME feedback feature: organisations, survey drafts, responses, answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class Organisation(Base):
    """An SME's details, asked once and remembered for its next surveys."""

    __tablename__ = "organisations"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    size_band: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SurveyDraft(Base):
    """A survey in progress, kept in the database so that it survives restarts.

    `status`: draft (in progress), submitted, cancelled, abandoned (left for 7 days).
    `step` is the furthest question index reached, used for drop-off figures.
    """

    __tablename__ = "survey_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    survey_id: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    stage: Mapped[str] = mapped_column(String(20), default="questions")
    position: Mapped[int] = mapped_column(Integer, default=0)  # current question index
    step: Mapped[int] = mapped_column(Integer, default=0)  # furthest index reached
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackResponse(Base):
    """A submitted survey. `user_id` is empty for anonymous surveys."""

    __tablename__ = "feedback_responses"
    __table_args__ = (UniqueConstraint("user_id", "service_id", "round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE")
    )
    survey_id: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    organisation: Mapped[dict | None] = mapped_column(JSON)  # type: ignore[type-arg]
    language: Mapped[str] = mapped_column(String(8))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackAnswer(Base):
    """One answer of a response; numbers in `number`, choices and text in `text`."""

    __tablename__ = "feedback_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
