"""The predict graphs run node by node in a kept order (bot/rasa_ext/graph_runner.py).

Each graph here is run by Rasa's ``DaskGraphRunner`` and by ``InOrderGraphRunner`` on the same
schema, and the two must give the same results, call each node once, and fail the same way. The
server and shell load the trained model's graphs with it (``test_the_processor_loads_...``); on
the trained model the two runners gave equal parses of the 668 validation messages and equal
predictions at every action of the project's stories when this was written (README, "Throughput").
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from bot.rasa_ext import graph_runner
from bot.rasa_ext.graph_runner import InOrderGraphRunner, run_order

CALLS: List[str] = []


class Join(GraphComponent):
    """Records its call and returns its node's name with what it was given, in order."""

    def __init__(self, name: str) -> None:
        self._name = name

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> Join:
        return cls(execution_context.node_name or "")

    def join(self, **given: Any) -> Any:
        CALLS.append(self._name)
        if "fail" in given.values():
            raise ValueError("bad value")
        return [self._name, *[given[key] for key in sorted(given)]]


def node(*needs: str, target: bool = False) -> SchemaNode:
    return SchemaNode(needs={f"i{n}": need for n, need in enumerate(needs)}, uses=Join, constructor_name="create",
                      fn="join", config={}, is_target=target)


def runners(schema: GraphSchema, tmp_path: Path) -> List[DaskGraphRunner]:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=schema, model_id="m")
    return [cls.create(schema, storage, context) for cls in (DaskGraphRunner, InOrderGraphRunner)]


def both(schema: GraphSchema, tmp_path: Path, inputs: Optional[Dict[str, Any]] = None,
         targets: Optional[List[str]] = None) -> List[Any]:
    """Each runner's result and the nodes it called (in the order called, for the in-order one)."""
    outcomes = []
    for runner in runners(schema, tmp_path):
        CALLS.clear()
        outcomes.append((runner.run(inputs=inputs, targets=targets), sorted(CALLS)))
    return outcomes


DIAMOND = GraphSchema({
    "a": node("__message__"),
    "b": node("a"),
    "c": node("a", "b"),
    "d": node("c", "b", "__tracker__", target=True),
    "unused": node("a"),
})


def test_the_same_results_and_each_needed_node_called_once(tmp_path: Path) -> None:
    inputs = {"__message__": ["hello"], "__tracker__": {"id": 1}}
    (dask_result, dask_calls), (ours, our_calls) = both(DIAMOND, tmp_path, inputs, ["d"])
    assert ours == dask_result
    assert ours["d"][0] == "d"
    assert our_calls == dask_calls == ["a", "b", "c", "d"]


def test_several_targets_and_the_schemas_own_targets_by_default(tmp_path: Path) -> None:
    inputs = {"__message__": ["hi"], "__tracker__": None}
    (dask_result, _), (ours, calls) = both(DIAMOND, tmp_path, inputs, ["b", "d", "unused"])
    assert ours == dask_result and list(ours) == ["b", "d", "unused"]
    assert calls == ["a", "b", "c", "d", "unused"]
    (dask_result, _), (ours, _) = both(DIAMOND, tmp_path, inputs)
    assert ours == dask_result and list(ours) == ["d"]


def test_an_input_stands_in_for_the_node_of_its_name(tmp_path: Path) -> None:
    (dask_result, _), (ours, calls) = both(DIAMOND, tmp_path, {"b": "given", "__message__": 1, "__tracker__": 2},
                                           ["d"])
    assert ours == dask_result
    assert calls == ["a", "c", "d"]


CHAIN = GraphSchema({"x": node("__message__"), "y": node("x"), "z": node("y", target=True)})


def test_a_node_feeding_only_a_replaced_node_is_still_called_as_under_dask(tmp_path: Path) -> None:
    (dask_result, dask_calls), (ours, our_calls) = both(CHAIN, tmp_path, {"y": 1, "__message__": 2}, ["z"])
    assert ours == dask_result and our_calls == dask_calls == ["x", "z"]
    for runner in runners(CHAIN, tmp_path):  # and fails where dask fails: x has no input
        with pytest.raises(GraphRunError, match="Missing input to run node 'x'"):
            runner.run(inputs={"y": 1}, targets=["z"])


@pytest.mark.parametrize("inputs, clash", [
    ({"__message__": "__message__"}, False),  # its own name: not yet in the graph
    ({"__tracker__": "__message__", "__message__": 1}, False),  # a later input's name: not yet either
    ({"__message__": 1, "__tracker__": "__message__"}, True),  # an earlier input's name
    ({"y": 1, "__message__": "x"}, True),  # a node only a replaced node needs
])
def test_input_values_clash_with_node_names_as_under_dask(tmp_path: Path, inputs: Dict[str, Any], clash: bool) -> None:
    for runner in runners(CHAIN, tmp_path):
        if clash:
            with pytest.raises(GraphRunError, match="clashes"):
                runner.run(inputs=dict(inputs), targets=["z"])
        else:
            CALLS.clear()
            runner.run(inputs=dict(inputs), targets=["z"])


def test_a_missing_input_fails_as_under_dask(tmp_path: Path) -> None:
    for runner in runners(DIAMOND, tmp_path):
        with pytest.raises(GraphRunError, match="Missing input to run node 'a'"):
            runner.run(inputs={"__tracker__": 1}, targets=["d"])


def test_an_unknown_target_fails_as_under_dask(tmp_path: Path) -> None:
    for runner in runners(DIAMOND, tmp_path):
        with pytest.raises(KeyError):
            runner.run(inputs={"__message__": 1, "__tracker__": 2}, targets=["nowhere"])


def test_an_input_named_like_a_node_is_refused(tmp_path: Path) -> None:
    for runner in runners(DIAMOND, tmp_path):
        with pytest.raises(GraphRunError, match="clashes"):
            runner.run(inputs={"__message__": "a", "__tracker__": 2}, targets=["d"])


def test_a_failing_component_fails_the_run_as_under_dask(tmp_path: Path) -> None:
    schema = GraphSchema({"a": node("__message__"), "b": node("a", "flag", target=True)})
    for runner in runners(schema, tmp_path):
        with pytest.raises(GraphComponentException, match="node b"):
            runner.run(inputs={"__message__": 1, "flag": "fail"}, targets=["b"])


def test_a_runtime_error_of_a_node_is_a_graph_run_error_as_under_dask(tmp_path: Path) -> None:
    def stopped(*given: Any) -> Any:
        raise RuntimeError("stopped")

    for runner in runners(DIAMOND, tmp_path):
        runner._instantiated_nodes["c"] = stopped
        with pytest.raises(GraphRunError, match="Error running runner"):
            runner.run(inputs={"__message__": 1, "__tracker__": 2}, targets=["d"])


@pytest.mark.parametrize("seed", range(20))
def test_random_graphs_give_the_same_results(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(rng.randint(2, 15))]
    nodes = {}
    for i, name in enumerate(names):
        earlier = names[:i] + ["__message__"]
        nodes[name] = node(*rng.sample(earlier, rng.randint(1, min(3, len(earlier)))))
    schema = GraphSchema(nodes)
    targets = rng.sample(names, rng.randint(1, 3))
    (dask_result, dask_calls), (ours, our_calls) = both(schema, tmp_path, {"__message__": seed}, targets)
    assert ours == dask_result
    assert our_calls == dask_calls


def test_every_node_comes_after_what_it_needs() -> None:
    needs = {"a": ("in",), "b": ("a",), "c": ("b", "a"), "d": ("c", "a", "b")}
    order, nodes = run_order(needs, ["d"], frozenset({"in"}))
    assert [name for name, _ in order] == ["a", "b", "c", "d"] and nodes == {"a", "b", "c", "d"}
    order, nodes = run_order(needs, ["b", "d"], frozenset({"in", "a"}))
    assert [name for name, _ in order] == ["b", "c", "d"] and nodes == {"a", "b", "c", "d"}


def test_a_cycle_is_an_error_not_a_hang() -> None:
    with pytest.raises(GraphRunError, match="cycle"):
        run_order({"a": ("b",), "b": ("c",), "c": ("a",)}, ["a"], frozenset())


def test_the_order_is_worked_out_once_per_targets_and_inputs(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    worked_out: List[Any] = []
    monkeypatch.setattr(graph_runner, "run_order", lambda *args: worked_out.append(args) or run_order(*args))
    runner = runners(DIAMOND, tmp_path)[1]
    for _ in range(3):
        runner.run(inputs={"__message__": 1, "__tracker__": 2}, targets=["d"])
    runner.run(inputs={"__message__": 1, "__tracker__": 2}, targets=["c"])
    assert len(worked_out) == 2


def test_the_processor_loads_its_graphs_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.processor

    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)
    monkeypatch.setattr(graph_runner, "_installed", False)
    graph_runner.install()
    graph_runner.install()
    assert rasa.core.processor.DaskGraphRunner is InOrderGraphRunner
