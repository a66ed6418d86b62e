"""A real SMTP server (aiosmtpd) for the mail tests."""

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from tests.api.helpers import free_port


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages: list[email.message.Message] = []
        self.refusals_left = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refusals_left:
            self.refusals_left -= 1
            return "451 try again later"
        return await super().handle_DATA(server, session, envelope)

    def handle_message(self, message):
        self.messages.append(message)

    def received(self) -> list[email.message.EmailMessage]:
        """The mails as a modern mail client reads them."""
        return [
            email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
            for message in self.messages
        ]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{port}"
    controller.stop()
