"""Messaging channels: Rasa 3.6's connectors, switched off until configured, and signed.

Each connector here is Rasa's own with three changes:

- **Off unless configured.** credentials.yml always lists the channel; while one
  of its required values (environment variables, see credentials.yml) is empty,
  its webhook answers 404 and nothing is sent anywhere.
- **Signed requests only.** Every inbound webhook request is checked before Rasa
  sees it, and an unsigned or wrongly signed one gets 403: Twilio's
  ``X-Twilio-Signature`` (Rasa does not check it at all), Telegram's
  ``X-Telegram-Bot-Api-Secret-Token`` (Rasa only compares the bot's name, with an
  API call per message), Slack's signing secret and Messenger's app secret
  (required here; Rasa answers 400 or 200 to a bad signature).
- **Conversations of their own.** A messaging conversation's id is the channel's
  name and the platform's id (``twilio:+15551234567``, ``telegram:12345``), so it
  is reached only through that channel's signed webhook: the REST channel refuses
  such ids (bot/rasa_ext/channels/rest.py). Replies go to the platform's id without it.
- **Bounded input** (bot/rasa_ext/channels/limits.py): an over-long message gets the
  "please keep it shorter" reply and never reaches the NLU or the tracker store.
- **Plain text where only text shows.** Custom payloads never go out as raw JSON
  (a "Sources: ..." line at most), and on SMS/WhatsApp quick replies become
  numbered choices that the patient answers with the number.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence

from rasa.core.channels.callback import CallbackInput
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, MessengerBot
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.channel_text import ChoiceMemory, plain_custom, text_with_choices
from bot.rasa_ext.channels.limits import bounded

logger = logging.getLogger(__name__)


# The channels whose conversation ids are a platform's (phone numbers, chat ids).
MESSAGING_CHANNELS = ("twilio", "telegram", "slack", "facebook", "callback")


def conversation_id(channel: str, platform_id: str) -> str:
    """The conversation of a platform's user: ``twilio:+15551234567``."""
    return f"{channel}:{platform_id}"


def platform_id(channel: str, conversation: str) -> str:
    """The platform's id in a conversation id of ``channel`` (the id itself if it has no prefix)."""
    prefix = f"{channel}:"
    return conversation[len(prefix):] if conversation.startswith(prefix) else conversation


def belongs_to_messaging_channel(conversation: str) -> bool:
    return conversation.strip().lower().startswith(tuple(f"{name}:" for name in MESSAGING_CHANNELS))


class PlatformRecipient(OutputChannel):
    """Wraps a channel's output: replies go to the platform's id, not to the conversation id."""

    def __init__(self, inner: OutputChannel, channel: str) -> None:
        self.inner = inner
        self.channel = channel

    def name(self) -> str:
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.inner.send_response(platform_id(self.channel, recipient_id), message)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)


def missing(credentials: Optional[Dict[str, Any]], keys: Sequence[str]) -> List[str]:
    credentials = credentials or {}
    return [key for key in keys if not str(credentials.get(key) or "").strip()]


def switched_off(name: str, not_set: Sequence[str]) -> Blueprint:
    """The webhook of a channel that is not configured: 404, and a health route that says why."""
    blueprint = Blueprint(f"{name}_webhook_off", __name__)
    logger.info("The %s channel is off: %s not set", name, ", ".join(not_set))

    @blueprint.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})  # which settings are unset is for the log, not the public

    @blueprint.route("/webhook", methods=["GET", "POST"])
    async def webhook(_: Request) -> HTTPResponse:
        return response.json({"error": f"the {name} channel is not configured"}, status=404)

    return blueprint


def forbidden(reason: str) -> HTTPResponse:
    logger.warning("Refused a webhook request: %s", reason)
    return response.json({"error": "forbidden"}, status=403)


def refuse_unsigned(blueprint: Blueprint, problem: Callable[[Request], Optional[str]]) -> Blueprint:
    """Answer 403 before Rasa's route runs whenever ``problem(request)`` names one."""

    @blueprint.middleware("request")
    async def check_signature(request: Request) -> Optional[HTTPResponse]:
        reason = problem(request)
        return forbidden(reason) if reason else None

    return blueprint


class OffUntilConfigured:
    """Mixin: ``from_credentials`` gives ``SwitchedOff`` while a ``REQUIRED`` value is empty."""

    REQUIRED: Sequence[str] = ()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> Any:
        not_set = missing(credentials, cls.REQUIRED)
        if not_set:
            return SwitchedOff(cls.name(), not_set)
        return cls.configured(credentials)

    @classmethod
    def configured(cls, credentials: Dict[str, Any]) -> Any:
        """The channel itself: Rasa's ``from_credentials`` unless a subclass needs more."""
        return super().from_credentials(credentials)

    def own_conversations(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
                          ) -> Callable[[UserMessage], Awaitable[Any]]:
        """``on_new_message`` with bounded input and this channel's namespace on the conversation id."""
        channel = self.name()

        async def handle(message: UserMessage) -> Any:
            message.sender_id = conversation_id(channel, message.sender_id)
            if message.output_channel is not None:
                message.output_channel = PlatformRecipient(message.output_channel, channel)
            return await on_new_message(message)

        return bounded(handle)


async def send_plain_custom(channel: Any, recipient_id: str, payload: Dict[str, Any]) -> None:
    text = plain_custom(payload)
    if text:
        await channel.send_text_message(recipient_id, text)


# ---------------------------------------------------------------- Twilio (SMS, WhatsApp)

class ClinicTwilioOutput(TwilioOutput):
    """One SMS per message, buttons as numbered choices, no JSON."""

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str,
                 choices: ChoiceMemory, http_client: Any = None) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        if http_client is not None:
            self.http_client = http_client
        self.choices = choices

    async def _send_message(self, message_data: Dict[str, Any]) -> Any:
        # Rasa calls Twilio's blocking client on the event loop and lets a network
        # error end the turn unsaved: here it runs in a thread, and a failure is
        # logged (without the number or the text) while the conversation is kept.
        try:
            return await asyncio.to_thread(self.messages.create, **message_data)
        except Exception as error:  # noqa: BLE001 - Twilio or the network down
            logger.error("Twilio did not take a message: %s", type(error).__name__)
            return None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": text.strip()})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: List[Dict[str, Any]],
                                     **kwargs: Any) -> None:
        self.choices.remember(recipient_id, buttons)
        await self.send_text_message(recipient_id, text_with_choices(text, buttons))

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]],
                                 **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await send_plain_custom(self, recipient_id, json_message)


class ClinicTwilioInput(OffUntilConfigured, TwilioInput):
    """Twilio SMS and WhatsApp (one number each: two entries in credentials.yml if both)."""

    REQUIRED = ("account_sid", "auth_token", "twilio_number")
    choices = ChoiceMemory()

    @classmethod
    def configured(cls, credentials: Dict[str, Any]) -> ClinicTwilioInput:
        channel = cls(credentials["account_sid"], credentials["auth_token"], credentials["twilio_number"])
        channel.webhook_url = str(credentials.get("webhook_url") or "").strip()
        return channel

    webhook_url = ""

    def unsigned(self, request: Request) -> Optional[str]:
        from twilio.request_validator import RequestValidator

        if request.method != "POST":
            return None
        signature = request.headers.get("X-Twilio-Signature", "")
        # Twilio signs the URL it was given: behind a proxy that is the public one
        url = self.webhook_url or request.url
        params = {key: request.form.get(key) for key in request.form.keys()}
        if signature and RequestValidator(self.auth_token).validate(url, params, signature):
            return None
        return "bad X-Twilio-Signature"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = self.own_conversations(on_new_message)

        async def with_choices(message: UserMessage) -> Any:
            message.text = self.choices.resolve(message.sender_id, message.text)
            return await on_new_message(message)

        return refuse_unsigned(super().blueprint(with_choices), self.unsigned)

    def get_output_channel(self) -> ClinicTwilioOutput:
        return ClinicTwilioOutput(self.account_sid, self.auth_token, self.twilio_number, self.choices)


# ---------------------------------------------------------------- Telegram

class ClinicTelegramOutput(TelegramOutput):
    """Telegram's own buttons; custom payloads as a sources line."""

    def __init__(self, access_token: str, api_url: str = "") -> None:
        from aiogram import Bot
        from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer

        # api_url: a local Bot API server (https://github.com/tdlib/telegram-bot-api)
        server = TelegramAPIServer.from_base(api_url.rstrip("/")) if api_url else TELEGRAM_PRODUCTION
        Bot.__init__(self, access_token, server=server)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await send_plain_custom(self, recipient_id, json_message)


class ClinicTelegramInput(OffUntilConfigured, TelegramInput):
    REQUIRED = ("access_token", "verify", "secret_token")

    @classmethod
    def configured(cls, credentials: Dict[str, Any]) -> ClinicTelegramInput:
        channel = cls(credentials["access_token"], credentials["verify"], credentials.get("webhook_url"))
        channel.secret_token = str(credentials["secret_token"])
        channel.api_url = str(credentials.get("api_url") or "")
        return channel

    secret_token = ""
    api_url = ""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = self.own_conversations(on_new_message)
        out_channel = self.get_output_channel()
        blueprint = Blueprint("telegram_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
                return forbidden("bad X-Telegram-Bot-Api-Secret-Token")
            sender, text = telegram_message(request.json)
            if sender is None or not text:
                return response.text("success")  # an update that is not a message: acknowledged
            await on_new_message(UserMessage(text, out_channel, sender, input_channel=self.name(),
                                             metadata=self.get_metadata(request)))
            return response.text("success")

        return blueprint

    def get_output_channel(self) -> ClinicTelegramOutput:
        # no setWebhook call at start-up (Rasa's does one, over the network): README, Telegram
        return ClinicTelegramOutput(self.access_token, self.api_url)


def telegram_message(update: Any) -> tuple:
    """(chat id, text) of a Telegram update: a message, an edited one or a button press."""
    if not isinstance(update, dict):
        return None, None
    if isinstance(update.get("callback_query"), dict):
        query = update["callback_query"]
        chat = (query.get("message") or {}).get("chat") or {}
        return (str(chat["id"]) if "id" in chat else None), query.get("data")
    message = update.get("message") or update.get("edited_message")
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        return None, None
    text = message.get("text")
    return str(message["chat"].get("id")), text if isinstance(text, str) else None


# ---------------------------------------------------------------- Slack

class ClinicSlackBot(SlackBot):
    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await send_plain_custom(self, recipient_id, json_message)


class ClinicSlackInput(OffUntilConfigured, SlackInput):
    REQUIRED = ("slack_token", "slack_signing_secret")

    def unsigned(self, request: Request) -> Optional[str]:
        if request.path.endswith("/webhook") and not self.is_request_from_slack_authentic(request):
            return "bad X-Slack-Signature"
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return refuse_unsigned(super().blueprint(self.own_conversations(on_new_message)), self.unsigned)

    def get_output_channel(self, channel: Optional[str] = None, thread_id: Optional[str] = None) -> ClinicSlackBot:
        return ClinicSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)


# ---------------------------------------------------------------- Facebook Messenger

class ClinicMessengerBot(MessengerBot):
    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        await send_plain_custom(self, recipient_id, json_message)


class ClinicFacebookInput(OffUntilConfigured, FacebookInput):
    REQUIRED = ("verify", "secret", "page-access-token")

    def unsigned(self, request: Request) -> Optional[str]:
        signature = request.headers.get("X-Hub-Signature") or ""
        if request.method == "POST" and not self.validate_hub_signature(self.fb_secret, request.body, signature):
            return "bad X-Hub-Signature"
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return refuse_unsigned(super().blueprint(self.own_conversations(on_new_message)), self.unsigned)

    def get_output_channel(self) -> ClinicMessengerBot:
        from fbmessenger import MessengerClient

        return ClinicMessengerBot(MessengerClient(self.fb_access_token))


# ---------------------------------------------------------------- callback

class ClinicCallbackInput(OffUntilConfigured, CallbackInput):
    """Rasa's callback channel: replies are POSTed to ``url`` (off while it is empty)."""

    REQUIRED = ("url",)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(self.own_conversations(on_new_message))


class SwitchedOff:
    """Stands in for a channel that is not configured (see ``switched_off``)."""

    def __init__(self, name: str, not_set: Sequence[str]) -> None:
        self._name = name
        self.not_set = list(not_set)

    def name(self) -> str:
        return self._name

    def url_prefix(self) -> str:
        return self._name

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return switched_off(self._name, self.not_set)

    def get_output_channel(self) -> None:
        return None
