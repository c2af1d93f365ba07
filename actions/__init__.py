"""rasa-sdk custom actions: thin glue over the logic in ``bot``."""

from actions.consultation import ActionSubmitConsultation, ValidateConsultationForm
from actions.privacy import ActionForgetMe
from actions.questionnaire import ActionSSHQReset, ActionSSHQResult, ActionSSHQStopped, ValidateSSHQForm
from actions.understanding import ActionUnderstand

__all__ = [
    "ActionForgetMe",
    "ActionSSHQReset",
    "ActionSSHQResult",
    "ActionSSHQStopped",
    "ActionSubmitConsultation",
    "ActionUnderstand",
    "ValidateConsultationForm",
    "ValidateSSHQForm",
]
