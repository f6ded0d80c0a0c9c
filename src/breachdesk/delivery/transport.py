"""The sender and DKIM key the settings ask for, shared by `campaign run` and the
workers."""

from __future__ import annotations

from breachdesk.config import Settings
from breachdesk.db import Database
from breachdesk.delivery import service
from breachdesk.delivery.senders import DomainLimits, MaildirSender, Sender, SmtpSender
from breachdesk.delivery.ses import SesSender
from breachdesk.inputs import InputError
from breachdesk.notices.mime import DkimKey


def configured_sender(settings: Settings) -> Sender:
    """Amazon SES when a region is set, the SMTP relay when one is set, else the Maildir
    capture in the data dir."""
    if settings.ses_region is not None:
        if settings.smtp_url is not None:
            raise InputError(
                "set BREACHDESK_SES_REGION or BREACHDESK_SMTP_URL, not both: emails go one way"
            )
        if settings.ses_access_key_id is None or settings.ses_secret_access_key is None:
            raise InputError(
                "SES: set BREACHDESK_SES_ACCESS_KEY_ID and BREACHDESK_SES_SECRET_ACCESS_KEY "
                "with BREACHDESK_SES_REGION"
            )
        token = settings.ses_session_token
        return SesSender(
            region=settings.ses_region,
            access_key_id=settings.ses_access_key_id,
            secret_access_key=settings.ses_secret_access_key.get_secret_value(),
            session_token=token.get_secret_value() if token else None,
            configuration_set=settings.ses_configuration_set,
            endpoint=settings.ses_endpoint,
        )
    if settings.smtp_url is not None:
        return SmtpSender(
            settings.smtp_url.get_secret_value(),
            connections=settings.smtp_connections,
            domain_limits=DomainLimits.parse(settings.smtp_domain_limits),
        )
    return MaildirSender(settings.data_dir / "mail-capture")


def configured_dkim(settings: Settings, database: Database, campaign_id: int) -> DkimKey | None:
    """The key that signs the campaign's emails, for its sender's domain; None unsigned."""
    if settings.dkim_private_key is None and settings.dkim_selector is None:
        return None
    if settings.dkim_private_key is None or settings.dkim_selector is None:
        raise InputError(
            "DKIM: set both BREACHDESK_DKIM_SELECTOR and BREACHDESK_DKIM_PRIVATE_KEY, or neither"
        )
    with database.session() as db_session:
        domain = service.sender_domain(db_session=db_session, campaign_id=campaign_id)
    pem = settings.dkim_private_key.get_secret_value().encode()
    return DkimKey.from_pem(domain, settings.dkim_selector, pem)
