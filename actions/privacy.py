"""'Forget me': glue over bot.storage.requests and bot.storage.retention."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core import names
from bot.core.markers import FORGOTTEN_SLOT
from bot.storage.requests import StoreUnavailable, get_store


class ActionForgetMe(Action):
    """Delete the conversation's consultation requests, then mark the conversation forgotten.

    The mark makes the tracker store delete the conversation's events instead of saving
    this turn (bot/rasa_ext/stores.py). When the requests cannot be deleted, nothing is marked.
    """

    def name(self) -> str:
        return "action_forget_me"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            get_store().delete_conversation(tracker.sender_id)
        except StoreUnavailable:
            dispatcher.utter_message(response=names.UTTER_FORGET_FAILED)
            return []
        dispatcher.utter_message(response=names.UTTER_FORGOTTEN)
        return [SlotSet(FORGOTTEN_SLOT, True)]
