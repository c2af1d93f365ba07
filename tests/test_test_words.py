"""Test words are not training words.

A test sentence that is a training example, or a near copy of one, measures memory, not
understanding: it passes whatever the model learnt. This fails when

* a sentence of a test set (``tests/**/*.yml``), or
* a message a test sends to the bot (string constants passed to ``stack.send``, the
  channel helpers and Socket.IO ``user_uttered`` events, found by walking the tests' syntax
  trees, including ``parametrize`` lists, literal loops and module constants),

is an example in ``data/nlu/*.yml``, or has a difflib ratio of 0.9 or more with one (both
lower-cased, white space collapsed), with the same label where the test gives one.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

import yaml

from bot import PROJECT_ROOT

TESTS = PROJECT_ROOT / "tests"
NLU = PROJECT_ROOT / "data" / "nlu"
RATIO = 0.9
# Not patient messages: the product contract's facts, which the answers are checked against.
NOT_MESSAGES = {"knowledge_facts.yml"}
ALERTS = frozenset({"red_flag", "crisis"})

# Calls whose text argument reaches the bot: name -> position of the text among the arguments.
# call name -> position of the message (or of a dict of answers by question) among its arguments
SENDERS = {"send": 1, "twilio_form": 1, "telegram_update": 1, "say": 0, "answer_all": 2, "answer_all_from": 3}
EMITTERS = {"emit", "emit_and_wait"}  # Socket.IO: ("user_uttered", {"message": text})
# Labels: None compares with every intent; a set, with those intents only.
Label = Optional[FrozenSet[str]]


@dataclass(frozen=True)
class Sentence:
    text: str
    label: Label
    where: str


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


@lru_cache(maxsize=1)
def training_examples() -> Tuple[Tuple[str, str], ...]:
    """(normalised example, intent) for every example in data/nlu, entity markup removed."""
    out: List[Tuple[str, str]] = []
    for path in sorted(NLU.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})", r"\1", line[2:])
                    out.append((normalised(text), block["intent"]))
    return tuple(out)


def _intents() -> FrozenSet[str]:
    return frozenset(intent for _, intent in training_examples())


def label_of(file: str, keys: Sequence[str]) -> Label:
    """The intent(s) a test set's section stands for; None where it names no intent."""
    if not keys:
        return None
    head = keys[0]
    if head == "topics" and len(keys) > 1:
        return frozenset({f"faq_{keys[1]}"})
    if head == "not_in_sources":
        return frozenset({"ask_not_in_sources"})
    if head == "emergency":
        return frozenset({"red_flag"})
    if head == "crisis":
        return frozenset({"crisis"})
    if head == "look_alike":  # anything but an alert: a look-alike learnt as such passes by memory
        return _intents() - ALERTS
    return {
        "offer_accept": frozenset({"affirm"}), "item_yes": frozenset({"affirm"}),
        "offer_decline": frozenset({"deny"}), "item_no": frozenset({"deny"}),
        "pause_or_stop": frozenset({"stop_questionnaire"}), "ask_for_check": frozenset({"start_questionnaire"}),
    }.get(head)


def _yaml_strings(node: object, keys: Tuple[str, ...]) -> Iterator[Tuple[Tuple[str, ...], str]]:
    if isinstance(node, dict):
        if isinstance(node.get("text"), str):  # a case: its message, not its expected values
            yield keys, node["text"]
            return
        for key, value in node.items():
            if isinstance(value, dict | list):
                yield from _yaml_strings(value, (*keys, str(key)))
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, str):
                yield keys, item
            else:
                yield from _yaml_strings(item, keys)


def set_sentences() -> List[Sentence]:
    out: List[Sentence] = []
    for path in sorted(TESTS.rglob("*.yml")):
        if path.name in NOT_MESSAGES or "artifacts" in path.parts:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for keys, text in _yaml_strings(data, ()):
            out.append(Sentence(text, label_of(path.name, keys), f"{path.relative_to(PROJECT_ROOT)}:{'/'.join(keys)}"))
    return out


# ---------------------------------------------------------------- messages the tests send


def _strings(node: ast.AST) -> List[str]:
    """The string constants an expression is made of: a constant, or a list/tuple/set of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [s for element in node.elts for s in _strings(element)]
    if isinstance(node, ast.Dict):  # answers by question: {"q1": "yes", ...}; ** parts are resolved where named
        return [s for value in node.values for s in _strings(value)]
    return []


def _default_of(function: ast.AST, name: str) -> List[str]:
    """The string default of the parameter ``name`` of ``function`` (``def at_q2(..., q1: str = "yes")``)."""
    args = getattr(function, "args", None)
    if args is None:
        return []
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
    return [s for arg, default in pairs if arg.arg == name for s in _strings(default)]


def _param_values(function: ast.AST, name: str) -> List[str]:
    """Strings ``pytest.mark.parametrize`` gives the parameter ``name`` of a test function."""
    out: List[str] = []
    for decorator in getattr(function, "decorator_list", []):
        if not (isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") == "parametrize"):
            continue
        if len(decorator.args) < 2 or not isinstance(decorator.args[0], ast.Constant):
            continue
        names = [n.strip() for n in str(decorator.args[0].value).split(",")]
        if name not in names:
            continue
        index = names.index(name)
        cases = decorator.args[1]
        if isinstance(cases, ast.List | ast.Tuple):
            for case in cases.elts:
                if isinstance(case, ast.Call) and getattr(case.func, "attr", "") == "param" and case.args:
                    case = ast.Tuple(elts=list(case.args)) if len(names) > 1 else case.args[0]
                if len(names) == 1:
                    out += _strings(case)
                elif isinstance(case, ast.Tuple | ast.List) and len(case.elts) > index:
                    out += _strings(case.elts[index])
    return out


class _Collector(ast.NodeVisitor):
    """Text arguments of the calls that send a message, resolved to string constants."""

    def __init__(self, tree: ast.Module) -> None:
        self.found: List[Tuple[str, int]] = []
        self.module_names: Dict[str, List[str]] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                for target in targets:
                    if isinstance(target, ast.Name) and statement.value is not None:
                        self.module_names[target.id] = _strings(statement.value)
        self.functions: List[ast.AST] = []
        self.loops: Dict[str, List[str]] = {}

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()

    def visit_For(self, node: ast.For) -> None:
        if isinstance(node.target, ast.Name):
            values = _strings(node.iter)
            if isinstance(node.iter, ast.Name):
                values = self.module_names.get(node.iter.id, [])
            self.loops[node.target.id] = values
        self.generic_visit(node)

    def _resolve(self, node: ast.AST) -> List[str]:
        if isinstance(node, ast.Name):
            for function in reversed(self.functions):
                values = _param_values(function, node.id) + _default_of(function, node.id)
                if values:
                    return values
            return self.loops.get(node.id) or self.module_names.get(node.id, [])
        if isinstance(node, ast.BinOp):  # "ouch " * 100_000: not a sentence
            return []
        if isinstance(node, ast.Dict):  # {**TYPICAL, "q2": "no"}: the named dict's answers too
            spread = [s for key, value in zip(node.keys, node.values, strict=True) if key is None
                      for s in self._resolve(value)]
            return spread + _strings(node)
        return _strings(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        texts: List[str] = []
        if name in SENDERS:
            position = SENDERS[name]
            if len(node.args) > position:
                texts = self._resolve(node.args[position])
            texts += [s for kw in node.keywords if kw.arg == "text" for s in self._resolve(kw.value)]
        elif name in EMITTERS and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "user_uttered":
            for data in node.args[1:2]:
                if isinstance(data, ast.Dict):
                    for key, value in zip(data.keys, data.values, strict=False):
                        if isinstance(key, ast.Constant) and key.value == "message":
                            texts = self._resolve(value)
        self.found += [(text, node.lineno) for text in texts]
        self.generic_visit(node)


def sent_messages() -> List[Sentence]:
    out: List[Sentence] = []
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        collector = _Collector(tree)
        collector.visit(tree)
        for text, line in collector.found:
            if text.strip() and not text.lstrip().startswith("/"):  # "/intent" payloads are buttons, not words
                out.append(Sentence(text, None, f"{path.relative_to(PROJECT_ROOT)}:{line}"))
    return out


# ---------------------------------------------------------------- comparing


def copies(sentence: Sentence) -> List[Tuple[str, str, float]]:
    """(training example, intent, ratio) for each example the sentence copies or nearly copies."""
    text = normalised(sentence.text)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(text)
    out: List[Tuple[str, str, float]] = []
    for example, intent in training_examples():
        if sentence.label is not None and intent not in sentence.label:
            continue
        # ratio = 2M / (a + b) <= 2 min / (a + b): lengths too far apart cannot reach RATIO
        if 2 * min(len(example), len(text)) < RATIO * (len(example) + len(text)):
            continue
        if example != text:
            matcher.set_seq1(example)
            if matcher.real_quick_ratio() < RATIO or matcher.quick_ratio() < RATIO or matcher.ratio() < RATIO:
                continue
        out.append((example, intent, 1.0 if example == text else round(matcher.ratio(), 3)))
    return out


def _report(sentences: Sequence[Sentence]) -> List[str]:
    return [f"{s.where}: {s.text!r} ~ {example!r} ({intent}, {ratio})"
            for s in sentences for example, intent, ratio in copies(s)]


def test_the_collectors_find_the_test_sets_and_the_sent_messages() -> None:
    sets = set_sentences()
    sent = sent_messages()
    assert len(training_examples()) > 2000
    assert len(sets) > 2000
    assert {s.where.split(":")[0] for s in sets} >= {"tests/data/nlu_test.yml", "tests/data/validation.yml",
                                                     "tests/data/safety_set_fresh.yml"}
    assert len(sent) > 100
    assert {s.where.split(":")[0] for s in sent} >= {"tests/test_conversations.py", "tests/test_socketio.py",
                                                     "tests/test_questionnaire_e2e.py", "tests/test_channels.py"}


def test_no_test_set_sentence_is_a_training_example_or_a_near_copy() -> None:
    found = _report(set_sentences())
    assert not found, f"{len(found)} test sentences copy training examples:\n" + "\n".join(found)


def test_no_message_a_test_sends_is_a_training_example_or_a_near_copy() -> None:
    found = _report(sent_messages())
    assert not found, f"{len(found)} sent messages copy training examples:\n" + "\n".join(found)


def test_a_copy_and_a_near_copy_are_caught_and_another_label_is_not() -> None:
    example, intent = next((e, i) for e, i in training_examples() if i.startswith("faq_") and len(e) > 30)
    assert copies(Sentence(example.upper(), frozenset({intent}), "t"))[0][2] == 1.0
    near = example[:-1] + ("x" if example[-1] != "x" else "y")
    assert copies(Sentence("  " + near, None, "t"))
    assert not copies(Sentence(example, _intents() - {intent} - {i for e, i in training_examples() if e == example}, "t"))
    assert not copies(Sentence("a sentence about nothing the assistant was ever taught, zebra", None, "t"))
