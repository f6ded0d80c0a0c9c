"""The shape of a rule file: one jurisdiction's breach-notification law, as cited data.

Every block a decision rests on carries the ``citation`` (statute section) and the
``source`` (address of the text it was read from), so an answer can always say which
words of which law it follows. docs/rules.md documents every field; counsel review the
YAML files, not this code.
"""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from breachdesk.incidents.models import DataElement

CODE_PATTERN = re.compile(r"^[A-Z]{2}-[A-Z]{2,6}$")
NOTICE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
SECTORS = (
    "hipaa_covered_entity",
    "hipaa_business_associate",
    "glba_financial_institution",
    "sec_registrant",
)


def _address(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
        raise ValueError(f"{value!r} is not a web address (https://...)")
    return value


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _notice_id(value: str) -> str:
    if not NOTICE_ID_PATTERN.match(value):
        raise ValueError(f"{value!r} must be lower-case letters, digits and hyphens")
    return value


def _code(value: str) -> str:
    if not CODE_PATTERN.match(value):
        raise ValueError(f"{value!r} is not a rule code like US-CA or EU-GDPR")
    return value


SourceAddress = Annotated[str, AfterValidator(_address)]
Text = Annotated[str, AfterValidator(_nonblank)]
NoticeId = Annotated[str, AfterValidator(_notice_id)]
RuleCode = Annotated[str, AfterValidator(_code)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Cited(Strict):
    """A block of law: what the statute says here, and where it says it."""

    citation: Text
    source: SourceAddress
    # Where sources disagree, or the text needs a reading, the note says so.
    notes: list[Text] = []


class ClockStart(enum.StrEnum):
    """The event a deadline is counted from."""

    DISCOVERY = "discovery"  # the breach was discovered, or the organisation was told of it
    AWARENESS = "awareness"  # became aware (GDPR); the incident's discovery time is used
    DETERMINATION = "determination"  # the breach (or its materiality) was determined
    INDIVIDUAL_NOTICE = "individual_notice"  # individuals were notified
    CALENDAR_YEAR_END = "calendar_year_end"  # the end of the year of discovery (HIPAA log)


class Deadline(Strict):
    """When a notice is due. Without ``days`` or ``hours`` the law sets no fixed number."""

    days: int | None = Field(default=None, ge=0)
    hours: int | None = Field(default=None, gt=0)
    business_days: bool = False
    clock_starts: ClockStart = ClockStart.DISCOVERY
    # The statute's own words for the timing, e.g. "most expedient time possible and
    # without unreasonable delay"; shown beside every computed date.
    standard: Text

    @model_validator(mode="after")
    def _one_measure(self) -> Deadline:
        if self.days is not None and self.hours is not None:
            raise ValueError("give days or hours, not both")
        if self.business_days and self.days is None:
            raise ValueError("business_days needs days")
        return self


class TriggeringElement(Strict):
    """A data element whose exposure makes the breach notifiable."""

    element: DataElement
    # True when the element counts only together with the person's name (first name or
    # initial and last name); the incident's ``name`` element must then be exposed too.
    needs_name: bool
    # The element counts only when at least one of these was exposed with it, e.g. an
    # account number "in combination with any required security code or password".
    with_any: list[DataElement] = []
    note: Text | None = None

    @model_validator(mode="after")
    def _not_with_itself(self) -> TriggeringElement:
        if self.element in self.with_any:
            raise ValueError(f"{self.element.value} cannot need itself in with_any")
        return self


class PersonalInformation(Cited):
    elements: list[TriggeringElement] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_element_once(self) -> PersonalInformation:
        names = [item.element for item in self.elements]
        repeated = sorted({name.value for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"elements listed twice: {', '.join(repeated)}")
        return self


class SafeHarbor(Cited):
    """Whether protected data is exempt from notice."""

    encryption: bool
    # True: a taken key makes the data count as unencrypted. False: it does not.
    # None: the statute is silent (the engine then treats the data as unencrypted).
    key_compromise_defeats: bool | None
    # Hashed data counts as protected when the law exempts data "rendered unreadable
    # or unusable" by any method, not only by encryption.
    covers_hashed: bool = False
    redaction: bool = False


class RiskOfHarm(Cited):
    """Whether a documented finding that harm is unlikely avoids notice."""

    allowed: bool
    standard: Text | None = None  # the statute's test, e.g. "not reasonably likely"
    written_determination: bool = False
    retain_years: int | None = Field(default=None, gt=0)
    # The agency (a regulator_notices id, or its name) that must receive the finding.
    copy_to_regulator: Text | None = None
    consult_law_enforcement: bool = False

    @model_validator(mode="after")
    def _requirements_only_when_allowed(self) -> RiskOfHarm:
        if not self.allowed and (
            self.written_determination or self.retain_years or self.copy_to_regulator
        ):
            raise ValueError("a determination's requirements need allowed: true")
        return self


class Method(Strict):
    # None: no source read confirms either way; counsel must decide before relying on it.
    allowed: bool | None
    condition: Text | None = None


class Methods(Strict):
    written: Method
    email: Method
    telephone: Method


class SubstituteComponent(enum.StrEnum):
    EMAIL = "email"
    WEBSITE_POSTING = "website_posting"
    STATEWIDE_MEDIA = "statewide_media"
    REGULATOR_NOTICE = "regulator_notice"


class SubstituteNotice(Cited):
    # None: no source read confirms the terms; the engine never offers it then.
    available: bool | None
    # Substitute notice is allowed when notice would cost at least this much...
    cost_threshold_usd: int | None = Field(default=None, gt=0)
    # ...or when at least this many people must be notified ("more than 500,000" is
    # written 500001)...
    count_threshold: int | None = Field(default=None, gt=0)
    # ...or when the organisation lacks enough contact information.
    insufficient_contact: bool = False
    components: list[SubstituteComponent] = []


class IndividualNotice(Cited):
    deadline: Deadline
    methods: Methods
    substitute_notice: SubstituteNotice


class ContentItem(enum.StrEnum):
    """What a notice, or a notice to a regulator, says; shared with the notice templates."""

    INCIDENT_DESCRIPTION = "incident_description"
    BREACH_DATE = "breach_date"
    DISCOVERY_DATE = "discovery_date"
    NOTICE_DATE = "notice_date"
    ELEMENTS_EXPOSED = "elements_exposed"
    LAW_ENFORCEMENT_DELAY = "law_enforcement_delay"
    ACTIONS_TAKEN = "actions_taken"
    CONTACT_INFORMATION = "contact_information"
    TOLL_FREE_NUMBER = "toll_free_number"
    CONSUMER_STEPS = "consumer_steps"
    REMAIN_VIGILANT = "remain_vigilant"
    CREDIT_REPORTING_AGENCIES = "credit_reporting_agencies"
    FTC_CONTACT = "ftc_contact"
    REGULATOR_CONTACT = "regulator_contact"
    SECURITY_FREEZE = "security_freeze"
    FRAUD_ALERT = "fraud_alert"
    POLICE_REPORT = "police_report"
    CREDIT_MONITORING_OFFER = "credit_monitoring_offer"
    NATURE_OF_BREACH = "nature_of_breach"
    NUMBER_AFFECTED = "number_affected"
    RESIDENTS_AFFECTED = "residents_affected"
    SAMPLE_NOTICE = "sample_notice"
    LIKELY_CONSEQUENCES = "likely_consequences"
    MITIGATION_MEASURES = "mitigation_measures"
    CONTACT_PERSON = "contact_person"
    MATERIAL_IMPACT = "material_impact"


class RequiredStatement(Strict):
    id: NoticeId
    # What the statement must say, in the statute's terms; templates must carry it.
    text: Text


class RegulatorContact(Cited):
    """The regulator's details a consumer notice must print (Maryland, for one, asks for
    the Attorney General's toll-free number, address and website). ``citation`` and
    ``source`` are the statute's requirement; ``details_source`` is the regulator's own
    page the details were read from."""

    name: Text
    address: list[Text] = []
    phone: Text | None = None
    toll_free: Text | None = None
    website: SourceAddress
    details_source: SourceAddress


class Content(Cited):
    required: list[ContentItem] = []
    title: Text | None = None  # a required title, e.g. "Notice of Data Breach"
    headings: list[Text] = []  # required headings, in the order they must appear
    min_type_size_pt: int | None = Field(default=None, gt=0)
    must_include: list[RequiredStatement] = []
    must_not_include: list[ContentItem] = []
    regulator_contact: RegulatorContact | None = None

    @model_validator(mode="after")
    def _not_both(self) -> Content:
        both = sorted(set(self.required) & set(self.must_not_include))
        if both:
            raise ValueError(f"both required and forbidden: {', '.join(both)}")
        if self.regulator_contact and ContentItem.REGULATOR_CONTACT not in self.required:
            raise ValueError("regulator_contact given, but regulator_contact is not required")
        return self


class Timing(enum.StrEnum):
    """When a regulator's notice goes, relative to the individuals' notices."""

    BEFORE_INDIVIDUAL_NOTICE = "before_individual_notice"
    WITH_INDIVIDUAL_NOTICE = "with_individual_notice"
    AFTER_INDIVIDUAL_NOTICE = "after_individual_notice"
    INDEPENDENT = "independent"


class Counting(enum.StrEnum):
    """Which residents a threshold counts."""

    OWED_NOTICE = "owed_notice"  # residents owed individual notice (most statutes)
    # Residents whose data the law counts, where it requires no individual notice (the
    # FTC Safeguards Rule's 500 consumers): its personal information, unprotected.
    NOTIFIABLE = "notifiable"
    AFFECTED = "affected"  # every resident whose data was involved (GDPR Art. 33)


class RegulatorNotice(Cited):
    id: NoticeId
    agency: Text
    # Required when at least this many residents are counted ("more than 500" is 501).
    threshold_residents: int = Field(ge=1)
    # Only up to this many (inclusive): HIPAA's annual log for breaches under 500.
    max_residents: int | None = Field(default=None, ge=1)
    counts: Counting = Counting.OWED_NOTICE
    deadline: Deadline
    timing: Timing = Timing.INDEPENDENT
    required_content: list[ContentItem] = []
    submit_to: Text | None = None  # a web form, email or postal address
    # A condition the engine cannot decide, e.g. "if the registrant determines the
    # incident is material"; shown with the decision.
    condition: Text | None = None

    @model_validator(mode="after")
    def _range(self) -> RegulatorNotice:
        if self.max_residents is not None and self.max_residents < self.threshold_residents:
            raise ValueError("max_residents is below threshold_residents")
        return self


class CraNotice(Cited):
    """Notice to the nationwide consumer reporting agencies."""

    threshold_residents: int = Field(ge=1)
    deadline: Deadline
    required_content: list[ContentItem] = []


class CreditMonitoring(Cited):
    required: bool
    months: int | None = Field(default=None, gt=0)
    # The duty arises when any of these was exposed (empty: any notifiable breach).
    elements: list[DataElement] = []


class VendorNotice(Cited):
    """A service provider holding the data for its owner must tell the owner."""

    deadline: Deadline


class LawEnforcementDelay(Cited):
    allowed: bool
    requires_written_request: bool = False


class MediaNotice(Cited):
    threshold_residents: int = Field(ge=1)
    deadline: Deadline


class SpecialDuties(Strict):
    credit_monitoring: CreditMonitoring | None = None
    vendor_notice: VendorNotice | None = None
    law_enforcement_delay: LawEnforcementDelay | None = None
    media_notice: MediaNotice | None = None


class ExemptionKind(enum.StrEnum):
    EXEMPT = "exempt"  # the law does not apply to such organisations
    # Such an organisation that notifies under its own regulator's rules is treated as
    # complying with this law; its notice duties come from that other regime.
    DEEMED_COMPLIANT = "deemed_compliant"


class Exemption(Cited):
    """Organisations (by sector flag) this law exempts or deems compliant."""

    sectors: list[str] = Field(min_length=1)
    kind: ExemptionKind
    # What the exemption hangs on, in the statute's terms, e.g. "maintains procedures
    # under GLBA and notifies under them"; shown with every decision it spares.
    condition: Text
    # Regulator notices (ids in this file) the law still requires of such organisations.
    still_required: list[NoticeId] = []

    @model_validator(mode="after")
    def _known_sectors(self) -> Exemption:
        unknown = sorted(set(self.sectors) - set(SECTORS))
        if unknown:
            raise ValueError(f"unknown sectors {unknown}; known: {', '.join(SECTORS)}")
        return self


class Applicability(Strict):
    """Whose data the law covers.

    A person is covered when their residence is in ``residence``; or, for everyone,
    when the organisation is established in one of ``establishment`` or holds one of
    the ``sectors`` flags. ``vendor_sectors`` names the flags of organisations that
    hold the data for another and owe only the vendor notice.
    """

    residence: list[str] = []
    establishment: list[str] = []
    sectors: list[str] = []
    vendor_sectors: list[str] = []

    @model_validator(mode="after")
    def _known_sectors(self) -> Applicability:
        unknown = sorted(set(self.sectors + self.vendor_sectors) - set(SECTORS))
        if unknown:
            raise ValueError(f"unknown sectors {unknown}; known: {', '.join(SECTORS)}")
        if not (self.residence or self.establishment or self.sectors or self.vendor_sectors):
            raise ValueError("say whom the law covers: residence, establishment or sectors")
        return self


class Jurisdiction(Cited):
    """One rule file."""

    code: RuleCode
    name: Text
    effective_from: date
    last_reviewed: date
    applies_to: Applicability
    exemptions: list[Exemption] = []
    # Holidays for business-day deadlines, as holidays-library codes: "US" or "US-CA".
    holiday_calendar: Text | None = None
    sources: list[SourceAddress] = Field(min_length=1)
    personal_information: PersonalInformation
    safe_harbor: SafeHarbor
    risk_of_harm: RiskOfHarm
    # None where the law requires no notice to individuals (the SEC's Form 8-K).
    individual_notice: IndividualNotice | None
    content: Content | None
    regulator_notices: list[RegulatorNotice] = []
    cra_notice: CraNotice | None = None
    special_duties: SpecialDuties = SpecialDuties()

    @model_validator(mode="after")
    def _consistent(self) -> Jurisdiction:
        ids = [notice.id for notice in self.regulator_notices]
        unknown = sorted({i for e in self.exemptions for i in e.still_required} - set(ids))
        if unknown:
            raise ValueError(f"exemptions name unknown regulator notices: {', '.join(unknown)}")
        repeated = sorted({value for value in ids if ids.count(value) > 1})
        if repeated:
            raise ValueError(f"regulator notice ids used twice: {', '.join(repeated)}")
        if self.last_reviewed < self.effective_from:
            raise ValueError("last_reviewed is before effective_from")
        if self.individual_notice is not None and self.content is None:
            raise ValueError("a law with individual notice needs a content block")
        if self._uses_business_days() and not self.holiday_calendar:
            raise ValueError("business-day deadlines need a holiday_calendar")
        cited = {source for source in self.sources}
        used = {block.source for block in self.cited_blocks()}
        if self.content and self.content.regulator_contact:
            used.add(self.content.regulator_contact.details_source)
        missing = sorted(used - cited)
        if missing:
            raise ValueError(f"sources must list every block's source; missing {missing}")
        return self

    def cited_blocks(self) -> list[Cited]:
        """The file itself and every cited block in it."""
        blocks: list[Cited | None] = [
            self,
            self.personal_information,
            self.safe_harbor,
            self.risk_of_harm,
            self.individual_notice,
            self.individual_notice.substitute_notice if self.individual_notice else None,
            self.content,
            self.content.regulator_contact if self.content else None,
            self.cra_notice,
            *self.regulator_notices,
            self.special_duties.credit_monitoring,
            self.special_duties.vendor_notice,
            self.special_duties.law_enforcement_delay,
            self.special_duties.media_notice,
            *self.exemptions,
        ]
        return [block for block in blocks if block is not None]

    def _deadlines(self) -> list[Deadline]:
        deadlines = [notice.deadline for notice in self.regulator_notices]
        if self.individual_notice:
            deadlines.append(self.individual_notice.deadline)
        if self.cra_notice:
            deadlines.append(self.cra_notice.deadline)
        for duty in (self.special_duties.vendor_notice, self.special_duties.media_notice):
            if duty:
                deadlines.append(duty.deadline)
        return deadlines

    def _uses_business_days(self) -> bool:
        return any(deadline.business_days for deadline in self._deadlines())

    def regulator_notice(self, notice_id: str) -> RegulatorNotice:
        for notice in self.regulator_notices:
            if notice.id == notice_id:
                return notice
        raise KeyError(notice_id)
