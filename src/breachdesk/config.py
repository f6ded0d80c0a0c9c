"""Settings, read from ``BREACHDESK_*`` environment variables.

Every field here is documented in docs/configuration.md (tests/test_docs.py checks).
A secret may instead be given as a file: ``BREACHDESK_DATA_KEY_FILE=/run/secrets/key``
reads the key from that file, which keeps it out of the process environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "BREACHDESK_"

# Settings that may be given as ``<NAME>_FILE`` holding the value.
SECRET_SETTINGS = (
    "database_url",
    "data_key",
    "retired_data_keys",
    "index_key",
    "smtp_url",
    "dkim_private_key",
    "ses_secret_access_key",
    "ses_session_token",
    "inbound_imap_url",
)


class ConfigError(ValueError):
    """A setting has a value breachdesk cannot use; the message says which and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(
        default=Path("breachdesk-data"),
        description="Folder for the embedded database, the key file and local mail capture.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to a SQLite file in the data dir.",
    )
    data_key: SecretStr | None = Field(
        default=None,
        description="Active field-encryption key, 32 bytes as URL-safe base64.",
    )
    retired_data_keys: SecretStr | None = Field(
        default=None,
        description="Earlier data keys, comma-separated, still accepted for decryption.",
    )
    index_key: SecretStr | None = Field(
        default=None,
        description="Key for blind indexes, 32 bytes as URL-safe base64.",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="SMTP relay for email notices: smtp://host:port (STARTTLS when offered) or "
        "smtps://user:password@host:port. Unset, emails go to the Maildir capture in the "
        "data dir and nothing leaves the machine.",
    )
    smtp_connections: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Connections each sending process keeps open to the SMTP relay.",
    )
    smtp_domain_limits: str = Field(
        default="",
        description="Caps per recipient domain, DOMAIN=CONCURRENCY/RATE, comma-separated "
        "('*=4/20, gmail.com=2/10'; - for no cap); per sending process.",
    )
    dkim_selector: str | None = Field(
        default=None,
        description="DKIM selector of the notice sender's domain; with dkim_private_key, every "
        "email is signed.",
    )
    dkim_private_key: SecretStr | None = Field(
        default=None,
        description="DKIM private key (unencrypted RSA PEM, 2048 bits advised) for the notice "
        "sender's domain.",
    )
    ses_region: str | None = Field(
        default=None,
        description="AWS region of the SES account; set, emails go through the SES v2 API.",
    )
    ses_access_key_id: str | None = Field(
        default=None, description="Access key id allowed to call ses:SendEmail."
    )
    ses_secret_access_key: SecretStr | None = Field(
        default=None, description="That access key's secret."
    )
    ses_session_token: SecretStr | None = Field(
        default=None, description="Session token of temporary credentials (an assumed role)."
    )
    ses_configuration_set: str | None = Field(
        default=None, description="SES configuration set every email is sent with."
    )
    ses_endpoint: str | None = Field(
        default=None, description="Another SES endpoint (https://), e.g. a VPC endpoint."
    )
    ses_sns_topic_arns: str = Field(
        default="",
        description="Comma-separated SNS topic ARNs whose messages /hooks/ses accepts.",
    )
    inbound_maildir: Path | None = Field(
        default=None, description="Maildir folder the desk reads inquiries from."
    )
    inbound_imap_url: SecretStr | None = Field(
        default=None,
        description="IMAP mailbox the desk reads inquiries from: "
        "imaps://user:password@host:port/MAILBOX.",
    )
    portal_incident: int | None = Field(
        default=None,
        description="The incident the public portal is about; unset, the latest incident "
        "with published facts.",
    )
    portal_statement_video: str | None = Field(
        default=None,
        description="Path of the executive statement's video on the portal's own site "
        "(/media/statement.mp4); no third-party players.",
    )
    portal_lookups_per_minute: int = Field(
        default=10,
        ge=1,
        description="Look-ups and genuine-notice checks one client address may make a minute.",
    )
    portal_attempts_per_reference: int = Field(
        default=5,
        ge=1,
        description="Look-ups one reference code may be tried with in an hour, from anywhere.",
    )
    portal_inquiries_per_hour: int = Field(
        default=20,
        ge=1,
        description="Questions and claims one client address may submit an hour.",
    )
    portal_evidence_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest evidence file a claimant may upload (PDF, PNG or JPEG).",
    )
    max_in_flight: int = Field(
        default=64,
        ge=1,
        description="Requests one web process works on at once; more are refused at once "
        "with 503 and Retry-After instead of queueing until they time out.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For "
        "names the client; rate limits count that client instead of the proxy.",
    )
    desk_first_response_hours: float = Field(
        default=24, gt=0, description="Hours the desk has to send an inquiry its first answer."
    )
    desk_resolution_hours: float = Field(
        default=72, gt=0, description="Hours the desk has to resolve an inquiry."
    )
    desk_sla_warning_hours: float = Field(
        default=4, ge=0, description="Warn this many hours before a service-level clock runs out."
    )
    staff_lockout_failures: int = Field(
        default=5,
        ge=1,
        description="Wrong passwords or two-factor codes in a row that lock a staff account.",
    )
    staff_lockout_minutes: float = Field(
        default=15, gt=0, description="Minutes a locked staff account stays locked."
    )
    staff_idle_minutes: float = Field(
        default=30,
        gt=0,
        description="Minutes without a request after which a staff session ends (a session "
        "ends after 12 hours in any case).",
    )
    # The contact-center capacity model that paces notice waves (docs/planning.md).
    capacity_agents: int = Field(default=20, ge=1, description="Agents answering the desk.")
    capacity_contact_rate: float = Field(
        default=0.15, ge=0, le=1, description="Share of people notified who get in touch."
    )
    capacity_contact_half_life_days: float = Field(
        default=2, gt=0, le=30, description="Days in which the contacts a notice brings halve."
    )
    capacity_portal_share: float = Field(
        default=0.5, ge=0, le=1, description="Share of contacts the portal's self-service takes."
    )
    capacity_phone_share: float = Field(
        default=0.35, ge=0, le=1, description="Share of contacts that are phone calls."
    )
    capacity_email_share: float = Field(
        default=0.15, ge=0, le=1, description="Share of contacts that are emails."
    )
    capacity_phone_handle_seconds: float = Field(
        default=420, gt=0, description="Average handle time of a call, talk and wrap-up."
    )
    capacity_email_handle_seconds: float = Field(
        default=600, gt=0, description="Average time an agent spends answering an email."
    )
    capacity_service_level: float = Field(
        default=0.8, gt=0, lt=1, description="Share of calls to answer within the answer time."
    )
    capacity_answer_seconds: float = Field(
        default=20, ge=0, description="The answer time of the service-level target."
    )
    capacity_opening_hours: str = Field(
        default="08-20", description="Local hours the desk answers, HH-HH (00-24: always)."
    )
    capacity_hourly_profile: str = Field(
        default="", description="Weights of the calls per opening hour; empty: even."
    )
    capacity_timezone: str = Field(default="UTC", description="The desk's IANA time zone.")
    plan_delivery_rate: int = Field(
        default=10, ge=1, description="Notices a second a planned wave sends at."
    )
    host: str = Field(default="127.0.0.1", description="Address the web app listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web app listens on.")
    log_level: str = Field(default="info", description="Logging level for the web app.")

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        allowed = ("critical", "error", "warning", "info", "debug")
        if value.lower() not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value.lower()

    @field_validator("portal_statement_video")
    @classmethod
    def _same_site_path(cls, value: str | None) -> str | None:
        if value and (not value.startswith("/") or value.startswith("//")):
            raise ValueError("must be a path on the portal's own site, like /media/statement.mp4")
        return value

    @model_validator(mode="before")
    @classmethod
    def _read_secret_files(cls, values: dict) -> dict:
        for name in SECRET_SETTINGS:
            file_var = f"{ENV_PREFIX}{name.upper()}_FILE"
            path = os.environ.get(file_var)
            if not path or values.get(name):
                continue
            try:
                values[name] = Path(path).read_text(encoding="utf-8").strip()
            except OSError as error:
                raise ConfigError(f"{file_var}: cannot read {path}: {error.strerror}") from error
        return values

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'breachdesk.sqlite3').resolve()}"


def get_settings() -> Settings:
    """Read the settings from the environment now (never cached at import time)."""
    try:
        return Settings()
    except ValueError as error:
        raise ConfigError(_explain(error)) from error


def _explain(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return str(error)
    parts = []
    for item in errors():
        field = ".".join(str(part) for part in item["loc"]) or "settings"
        parts.append(f"{ENV_PREFIX}{field.upper()}: {item['msg']}")
    return "; ".join(parts)
