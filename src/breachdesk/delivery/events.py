"""Audit events of delivery: campaigns, their waves, and each run's outcome."""

from __future__ import annotations

import dataclasses

from breachdesk.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class CampaignCreated(AuditEvent):
    """A notice campaign was created for an incident: one kind of notice, a channel
    policy, the approved template versions it will send (by language), and the credit
    monitoring its notices offer (``months`` and ``url``, or null)."""

    event_type = "campaign.created"
    campaign: int
    incident: int
    kind: str
    channel_policy: str
    templates: dict[str, int]
    monitoring: dict[str, object] | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class WaveScheduled(AuditEvent):
    """A wave's people were put in the outbox: how they were selected, when it starts,
    its rate cap, and how many went to each channel (``substitute`` lists those with no
    usable channel)."""

    event_type = "campaign.wave_scheduled"
    campaign: int
    incident: int
    wave: int
    selection: str
    starts_at: str
    max_per_second: int | None
    channels: dict[str, int]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SupplementalPlanned(AuditEvent):
    """A supplemental campaign was made for the people whose latest notice a wider fact
    revision left incomplete: how many, and why (people per reason: ``new elements``,
    ``weaker protection``, ``wider window``; one person may have several)."""

    event_type = "campaign.supplemental_planned"
    campaign: int
    incident: int
    revision: int
    people: int
    reasons: dict[str, int]


@dataclasses.dataclass(frozen=True, kw_only=True)
class CampaignStateChanged(AuditEvent):
    """A campaign was paused, resumed, cancelled, or completed."""

    event_type = "campaign.state_changed"
    campaign: int
    incident: int
    state: str
    previous: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CampaignRun(AuditEvent):
    """A run of a campaign's sender finished or stopped: what it did, by outcome, how
    many notices it sent again after an earlier run stopped mid-send, and how many
    refused emails it queued on the next channel (a letter, or the substitute list)."""

    event_type = "campaign.run"
    campaign: int
    incident: int
    outcomes: dict[str, int]
    resent_after_interruption: int
    queued_on_next_channel: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class BouncesRecorded(AuditEvent):
    """Bounce reports were read (``campaign bounces``): how many messages were read, and
    what the reports did (``bounced``, ``queued on the next channel``, ``delayed``,
    ``already recorded``, ``not our notice``)."""

    event_type = "campaign.bounces_recorded"
    source: str
    messages_read: int
    not_reports: int
    counts: dict[str, int]


@dataclasses.dataclass(frozen=True, kw_only=True)
class LettersExported(AuditEvent):
    """A campaign's due letters were exported for printing (``campaign print``): how
    many, in which files, and how many files an interrupted export had left to finish.
    The export decrypted the names and addresses it printed."""

    event_type = "campaign.letters_exported"
    campaign: int
    incident: int
    letters: int
    files: list[str]
    finished_from_before: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class MailReturned(AuditEvent):
    """The print vendor's returned-mail file was read (``campaign returned``): what it
    did (``returned``, ``queued on the next channel``, ``already recorded``, ``not
    sent``, ``not a letter of this campaign``)."""

    event_type = "campaign.mail_returned"
    campaign: int
    incident: int
    source: str
    counts: dict[str, int]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubstituteListExported(AuditEvent):
    """The people awaiting substitute notice were exported (names included): how many,
    and to which file."""

    event_type = "campaign.substitute_list_exported"
    campaign: int
    incident: int
    people: int
    file: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubstituteNoticeGiven(AuditEvent):
    """Substitute notice was given to everyone awaiting it in the campaign: how many,
    and how (the method as the response team described it)."""

    event_type = "campaign.substitute_notice_given"
    campaign: int
    incident: int
    people: int
    method: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProviderEventsRecorded(AuditEvent):
    """An email provider's webhook reported on notices it had accepted (``/hooks/ses``):
    which provider, what its reports did (``bounced``, ``queued on the next channel``,
    ``delayed``, ``already recorded``, ``not our notice``, ``complaint``), and how many
    were complaints about our notices (the person marked it as spam; the notice was
    delivered, so its state does not change)."""

    event_type = "campaign.provider_events_recorded"
    provider: str
    counts: dict[str, int]
    complaints: int
