"""Mail: one port (:mod:`shared.services.ports.mail`) and three adapters (outbox folder, SMTP, Microsoft
Graph), chosen by :func:`shared.adapters.mail.factory.open_mailer`."""

from shared.services.ports.mail import (
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
