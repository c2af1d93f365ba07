"""What to say when the NLU was unsure or heard several questions: glue over bot.core.understanding."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core import names, understanding
from bot.core.knowledge import get_catalog

SOMETHING_ELSE = names.UTTER_CLARIFY_SOMETHING_ELSE


def _response_text(domain: DomainDict, name: str) -> str:
    variants: List[Dict[str, Any]] = (domain.get("responses") or {}).get(name) or [{}]
    return str(variants[0].get("text") or "")


class ActionUnderstand(Action):
    """After nlu_fallback: ask "Did you mean ...?", answer each of several questions, or say
    it did not understand (the decision is TopicUnderstanding's, in the parse data)."""

    def name(self) -> str:
        return names.ACTION_UNDERSTAND

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        decision = understanding.decision_from_parse(tracker.latest_message)
        if decision.kind == "clarify":
            catalog = get_catalog()
            titles = {t: catalog.topic(t).question for t in decision.topics}
            buttons = understanding.clarify_buttons(decision.topics, titles, _response_text(domain, SOMETHING_ELSE))
            # one topic offered: "Did you mean this?" ("one of these" beside a single topic read oddly)
            question = names.UTTER_CLARIFY if len(decision.topics) > 1 else names.UTTER_CLARIFY_ONE
            dispatcher.utter_message(response=question, buttons=buttons, json_message={"clarify": list(decision.topics)})
        elif decision.kind == "topics":
            for topic in decision.topics:
                dispatcher.utter_message(response=get_catalog().topic(topic).response)
        else:
            dispatcher.utter_message(response=names.UTTER_NOT_UNDERSTOOD)
        return []
