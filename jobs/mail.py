"""Turn an outbox row into an e-mail and hand it to SMTP, or to a folder when there is none."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import aiosmtplib

from service.settings import Settings

SENDER_DOMAIN = "probono-hours"


def message_id(outbox_id: Any) -> str:
    """Stable across retries, so a receiver can drop a second copy."""
    return f"<{outbox_id}@{SENDER_DOMAIN}>"


def build_email(row: dict[str, Any]) -> EmailMessage:
    """Plain notice, or an iMIP invite when the payload carries a calendar object:
    multipart/mixed[ multipart/alternative[ text/plain, text/html, text/calendar; method=… ],
    invite.ics ] — the inline part for Outlook/Gmail buttons, the attachment for the rest."""
    payload = row["payload"]
    email = EmailMessage()
    email["From"] = payload["sender"]
    email["To"] = row["recipient"]
    email["Subject"] = payload["subject"]
    email["Message-ID"] = message_id(row["id"])
    email["Date"] = format_datetime(row["created_at"])
    email.set_content(payload["text"])
    if html := payload.get("html"):
        email.add_alternative(html, subtype="html")
    if ics := payload.get("ics"):
        # bytes, so the object keeps its CRLF line ends (set_content on text would rewrite them)
        email.add_alternative(
            ics.encode(),
            maintype="text",
            subtype="calendar",
            params={"method": payload["method"], "charset": "UTF-8"},
        )
        email.make_mixed()
        email.add_attachment(
            ics.encode(), maintype="application", subtype="ics", filename="invite.ics"
        )
    return email


async def send(settings: Settings, email: EmailMessage) -> None:
    if settings.smtp_url is None:
        write_to_folder(settings.outbox_dir, email)
        return
    url = urlparse(settings.smtp_url)
    await aiosmtplib.send(
        email,
        hostname=url.hostname or "localhost",
        port=url.port or (465 if url.scheme == "smtps" else 25),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=url.scheme == "smtps",
        start_tls=None if url.scheme == "smtp" else False,
        timeout=30,
    )


def write_to_folder(folder: Path, email: EmailMessage) -> Path:
    """One file per Message-ID: a re-delivery overwrites instead of duplicating."""
    folder.mkdir(parents=True, exist_ok=True)
    name = email["Message-ID"].strip("<>").split("@")[0]
    path = folder / f"{name}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(email.as_bytes())
    temporary.replace(path)
    return path
