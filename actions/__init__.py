"""rasa-sdk custom actions: thin glue over the logic in ``bot``."""

from actions.consultation import ActionSubmitConsultation, ValidateConsultationForm
from actions.questionnaire import ActionSSHQReset, ActionSSHQResult, ActionSSHQStopped, ValidateSSHQForm

__all__ = [
    "ActionSSHQReset",
    "ActionSSHQResult",
    "ActionSSHQStopped",
    "ActionSubmitConsultation",
    "ValidateConsultationForm",
    "ValidateSSHQForm",
]
