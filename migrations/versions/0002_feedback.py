"""SME feedback: organisations, survey drafts, responses, answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("sector", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("size_band", sa.String(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_organisations_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_organisations")),
    )
    op.create_table(
        "survey_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("survey_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_survey_drafts_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_drafts")),
    )
    op.create_index(op.f("ix_survey_drafts_user_id"), "survey_drafts", ["user_id"])
    op.create_index(op.f("ix_survey_drafts_service_id"), "survey_drafts", ["service_id"])
    op.create_index(op.f("ix_survey_drafts_status"), "survey_drafts", ["status"])
    op.create_table(
        "feedback_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("survey_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("organisation", sa.JSON(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_feedback_responses_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_responses")),
        sa.UniqueConstraint("user_id", "service_id", "round",
                            name=op.f("uq_feedback_responses_user_id")),
    )
    op.create_index(op.f("ix_feedback_responses_service_id"), "feedback_responses",
                    ["service_id"])
    op.create_table(
        "feedback_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["response_id"], ["feedback_responses.id"],
                                name=op.f("fk_feedback_answers_response_id_feedback_responses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_answers")),
        sa.UniqueConstraint("response_id", "question_id",
                            name=op.f("uq_feedback_answers_response_id")),
    )
    op.create_index(op.f("ix_feedback_answers_response_id"), "feedback_answers", ["response_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_feedback_answers_response_id"), table_name="feedback_answers")
    op.drop_table("feedback_answers")
    op.drop_index(op.f("ix_feedback_responses_service_id"), table_name="feedback_responses")
    op.drop_table("feedback_responses")
    op.drop_index(op.f("ix_survey_drafts_status"), table_name="survey_drafts")
    op.drop_index(op.f("ix_survey_drafts_service_id"), table_name="survey_drafts")
    op.drop_index(op.f("ix_survey_drafts_user_id"), table_name="survey_drafts")
    op.drop_table("survey_drafts")
    op.drop_table("organisations")
