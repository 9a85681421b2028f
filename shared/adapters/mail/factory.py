"""Choose how mail goes out, once, from the settings: Graph, else SMTP, else the outbox."""

from __future__ import annotations

from shared.adapters.mail.sent_log import SqliteSentLog
from shared.config import Settings, secret
from shared.services.ports.mail import MailConfigurationError, Mailer, SentLog

SENT_LOG_FILE = "mail-sent.sqlite3"
OUTBOX_FOLDER = "outbox"


def open_mailer(settings: Settings, sent_log: SentLog | None = None) -> Mailer:
    """The mailer the settings ask for.

    - Microsoft Graph when the sender mailbox, tenant, client id and certificate are all set;
    - SMTP when ``AUDITDESK_SMTP_HOST`` is set;
    - otherwise ``.eml`` files in ``<home>/outbox``.

    All three share one sent-log (``<home>/mail-sent.sqlite3`` unless another is passed), so a
    message sent through one is not sent again through another after a configuration change.
    """
    mail = settings.mail
    log = sent_log or SqliteSentLog(settings.home / SENT_LOG_FILE)
    sender, tenant, client, certificate = (
        mail.sender,
        mail.graph_tenant_id,
        mail.graph_client_id,
        mail.graph_certificate_path,
    )
    if sender and tenant and client and certificate:
        from shared.adapters.mail.graph import GraphMailer, certificate_token_provider

        password = secret(mail.graph_certificate_password_variable) or None
        token = certificate_token_provider(tenant, client, certificate, password=password)
        return GraphMailer(sender, token, log, base_url=mail.graph_base_url)
    if any((tenant, client, certificate)):
        raise MailConfigurationError(
            "Graph mail is partly configured: set all of AUDITDESK_MAIL_SENDER, AUDITDESK_GRAPH_TENANT_ID, "
            "AUDITDESK_GRAPH_CLIENT_ID and AUDITDESK_GRAPH_CERTIFICATE_PATH, or none of the AUDITDESK_GRAPH_* ones."
        )
    if mail.smtp_host:
        from shared.adapters.mail.smtp import SmtpMailer

        if not mail.sender:
            raise MailConfigurationError(
                "AUDITDESK_SMTP_HOST is set but AUDITDESK_MAIL_SENDER is not: set the address mail is sent from."
            )
        password = secret(mail.smtp_password_variable) or None
        if mail.smtp_username and not password:
            raise MailConfigurationError(
                f"AUDITDESK_SMTP_USERNAME is set but {mail.smtp_password_variable} is empty: "
                "set the password there (in Azure, as a Key Vault reference)."
            )
        return SmtpMailer(
            mail.smtp_host,
            mail.smtp_port,
            mail.sender,
            log,
            username=mail.smtp_username,
            password=password,
            starttls=mail.smtp_starttls,
        )
    from shared.adapters.mail.outbox import OutboxMailer

    return OutboxMailer(settings.home / OUTBOX_FOLDER, log, sender=mail.sender)
