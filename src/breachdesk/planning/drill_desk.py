"""Drill step for the desk: the copied answer library approved, activation codes
loaded, and customers' questions received and answered at the scenario's pace."""

from __future__ import annotations

import time
from datetime import datetime

from breachdesk.db import utcnow
from breachdesk.desk import answers, codes
from breachdesk.desk import service as desk
from breachdesk.desk.answers import STATEMENT_KEY
from breachdesk.desk.demo import demo_library, write_codes
from breachdesk.desk.models import AnswerPurpose, ApprovedAnswer, InquiryCategory, InquirySource
from breachdesk.desk.schemas import AnswerIn, InquiryIn, ReplyIn
from breachdesk.incidents import service as incidents
from breachdesk.planning import drill_scenarios as scenarios
from breachdesk.planning.drill_copy import approve_answers, approvers
from breachdesk.planning.drill_steps import ACTOR, Drill
from breachdesk.security import service as security

# One inquiry for this many people, within these bounds: enough to time the desk.
PEOPLE_PER_INQUIRY = 100
INQUIRIES = (12, 60)
CODE_POOL = "drill"
CODE_VENDOR = "Drill monitoring vendor (made-up codes)"


def run_desk(drill: Drill) -> tuple[str, dict[str, float]]:
    library = _library(drill)
    with drill.database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=drill.incident_id)
        signers = approvers(db_session, drill.main_domain)
        approve_answers(
            db_session=db_session, incident=incident, library=library, signers=signers, actor=ACTOR
        )
        if drill.troubled:
            bad = scenarios.lookalike_answer(drill.main_domain)
            approve_answers(
                db_session=db_session, incident=incident, library=[bad], signers=signers,
                actor=ACTOR,
            )  # fmt: skip
        loaded = _load_codes(drill, db_session, incident)
    if drill.troubled:
        _record_lookalike(drill)
    count = min(max(drill.people // PEOPLE_PER_INQUIRY, INQUIRIES[0]), INQUIRIES[1])
    started = time.perf_counter()
    answered, open_ = _take_questions(drill, scenarios.inquiries(drill.scenario, count))
    seconds = time.perf_counter() - started
    if drill.troubled:
        drill.sabotage.append(
            f"slow answers: of {count} inquiries, two in three were first answered 3 to 4 days "
            "after they arrived and the rest are still open after 5 days"
        )
    return (
        f"{len(library)} library answers approved, {loaded:,} activation codes loaded; "
        f"{count} inquiries received (each acknowledged at once), {answered} answered, "
        f"{open_} left open",
        {"inquiries_per_second": round(count / seconds, 1) if seconds else 0.0},
    )


def _library(drill: Drill) -> list[AnswerIn]:
    source = drill.source
    library = source.answers
    if not library:
        drill.gap(
            "desk",
            "no approved desk answers: every question would wait for an agent's own words "
            "and an approver's release (the drill used the shipped library)",
            "`breachdesk desk answer save --incident ID`, edit, and have both approvers "
            "sign off each entry",
        )
        library = [answer for answer in demo_library() if answer.key != STATEMENT_KEY]
    if not any(answer.purpose == AnswerPurpose.ACKNOWLEDGEMENT for answer in library):
        drill.gap(
            "desk",
            "no approved acknowledgement wording: inquirers get their ticket number but no "
            "email saying their question arrived",
            "approve an answer with purpose acknowledgement (see the shipped library)",
        )
    if not any(answer.key == STATEMENT_KEY for answer in library):
        drill.gap(
            "desk",
            "no executive statement is approved for the notice page",
            f'save and approve a library answer with key "{STATEMENT_KEY}": the executive\'s '
            "apology and what the company is doing",
        )
    return library


def _load_codes(drill: Drill, db_session, incident) -> int:
    """Made-up activation codes, one a person, for the monitoring the notices offer."""
    path = write_codes(drill.settings.data_dir / "drill-monitoring-codes.csv", drill.people)
    result = codes.import_codes(
        db_session=db_session,
        keyring=drill.keyring,
        incident=incident,
        pool_name=CODE_POOL,
        vendor=CODE_VENDOR,
        enrol_url=drill.offer.url,
        months=drill.offer.months,
        low_water=None,
        path=path,
        actor=ACTOR,
    )
    return result.added


def _record_lookalike(drill: Drill) -> None:
    domain = scenarios.lookalike_domain(drill.main_domain)
    with drill.database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=drill.incident_id)
        organisation = incident.organisation
        english = next(t for t in drill.source.templates if t.language == "en")
        refused = scenarios.lookalike_notice_findings(english, organisation)
    drill.sabotage.append(
        f'a lookalike link: the approved desk answer "credit-monitoring" sends people to '
        f"https://{domain}/enroll; in a notice, the linter refuses the same link ("
        + ("; ".join(refused) or "no finding")
        + ")"
    )
    drill.gap(
        "desk",
        f"desk answers are approved without the notice linter: an answer linking to {domain} "
        "was signed off and used in replies",
        "lint every answer before signing it off: `breachdesk lint ANSWER.txt --org SLUG`",
    )


def _take_questions(drill: Drill, questions: list[scenarios.Inquiry]) -> tuple[int, int]:
    """Receive each question at its time and answer it from the approved library at the
    scenario's pace; returns (answered, left open)."""
    answered = 0
    desk_now = utcnow()
    with drill.database.session() as db_session:
        incident = incidents.get_incident(db_session=db_session, incident_id=drill.incident_id)
        agent = security.get_by_email(db_session=db_session, email=f"agent@{drill.main_domain}")
        library = answers.approved_answers(db_session=db_session, incident_id=incident.id)
        for number, question in enumerate(questions, start=1):
            received: datetime = desk_now - question.received
            inquiry = desk.receive_inquiry(
                db_session=db_session,
                keyring=drill.keyring,
                incident=incident,
                inquiry_in=InquiryIn(
                    name=question.name,
                    email=f"drill.customer{number}@example.net",
                    language=question.language,
                    category=question.category,
                    message=question.text,
                ),
                source=InquirySource.PORTAL,
                actor="portal",
                now=received,
            )
            answer = _answer_for(library, question.category, question.language)
            if question.answered_after is None or answer is None:
                continue
            desk.reply(
                db_session=db_session,
                keyring=drill.keyring,
                inquiry=inquiry,
                reply_in=ReplyIn(answer_id=answer.id),
                agent=agent,
                now=received + question.answered_after,
            )
            answered += 1
    return answered, len(questions) - answered


def _answer_for(
    library: list[ApprovedAnswer], category: InquiryCategory, language: str
) -> ApprovedAnswer | None:
    """The library entry for the question's category, in its language if there is one."""
    fitting = [a for a in library if a.category == category and a.key != STATEMENT_KEY]
    for wanted in (language, "en"):
        for answer in fitting:
            if answer.language == wanted:
                return answer
    return None
