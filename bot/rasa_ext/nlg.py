"""Response generation with the clinic's settings filled in.

Configured in ``endpoints.yml`` as ``nlg: type: bot.rasa_ext.nlg.ClinicResponseGenerator``.
It is Rasa's own templated generator (domain responses, conditions, channels)
with the clinic placeholders ``{clinic_name}``, ``{clinic_phone}``,
``{clinic_website}``, ``{clinic_booking_url}``, ``{emergency_number}`` and
``{crisis_line}`` available to every response. The settings are validated when
the server starts: a bad setting stops it with a clear message.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.core.settings import ClinicSettings, load_settings


class ClinicResponseGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
        settings: Optional[ClinicSettings] = None,
    ) -> None:
        domain = domain or Domain.empty()
        super().__init__(domain.responses)
        self.settings = settings or load_settings()
        self._clinic_vars = self.settings.response_variables()

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        filled_slots = tracker.current_slot_values()
        # clinic settings win over slots of the same name; explicit kwargs win over both
        variables = {**filled_slots, **self._clinic_vars}
        return self.generate_from_slots(
            utter_action, variables, output_channel, **kwargs
        )
