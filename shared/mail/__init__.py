"""Mail: one port (:mod:`shared.mail.port`) and three adapters (outbox folder, SMTP, Microsoft
Graph), chosen by :func:`shared.mail.factory.open_mailer`."""

from shared.mail.port import (
    Attachment,
    AttachmentTooLarge,
    InvalidMessage,
    MailConfigurationError,
    MailDeliveryFailed,
    Mailer,
    MailError,
    OutgoingMessage,
    SentMessage,
)

__all__ = [
    "Attachment",
    "AttachmentTooLarge",
    "InvalidMessage",
    "MailConfigurationError",
    "MailDeliveryFailed",
    "MailError",
    "Mailer",
    "OutgoingMessage",
    "SentMessage",
]
