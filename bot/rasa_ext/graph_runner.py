"""The model's graphs run node by node in a fixed order, without dask's scheduler (issue #17).

Rasa 3.6 runs its predict graphs through ``DaskGraphRunner``: on every run it works out the
minimal schema for the targets again, builds a dask graph of it, and hands it to dask's local
scheduler, which orders the tasks, tracks their states and releases their data, all in Python.
The server runs the NLU graph once a message and the core graph once a prediction (three or
more a turn): under load this bookkeeping held Python's lock for about 8 % of the server's time
(py-spy, 10 conversations at once), beside nodes whose own work it does not change.

``InOrderGraphRunner`` runs the same ``GraphNode`` objects with the same inputs and returns the
same results: each node of Rasa's minimal schema for the targets is called once, after the nodes
it needs, with their ``(name, output)`` pairs in the order of its ``needs``, as dask passes them.
A run's inputs stand in for nodes of the same name (whose own needs are still called, as dask
calls every node of the graph), and a name that is neither is passed as the bare name, as dask
does (``GraphNode`` then reports the missing input); an unknown target is a ``KeyError``, as
under dask. The order for a set of targets and inputs is worked out once and kept: a loaded
graph's schema does not change. A ``RuntimeError`` becomes ``GraphRunError``, as in
``DaskGraphRunner.run``; any other error passes through. Input values that name a node are
refused as ``DaskGraphRunner`` refuses them (the minimal schema's nodes, then each input in turn).

``install()`` makes the processor load its predict graphs with this runner, in the processes that
run the Rasa server or shell (``bot/rasa_ext/runtime.py``); training keeps ``DaskGraphRunner``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

logger = logging.getLogger(__name__)
_installed = False

Step = Tuple[str, Tuple[str, ...]]  # a node's name and the names of what it needs, in order


def run_order(needs: Dict[str, Tuple[str, ...]], targets: List[str],
              inputs: FrozenSet[str]) -> Tuple[List[Step], FrozenSet[str]]:
    """The nodes to call for the targets, each after everything it needs (depth first, needs in
    order), and the names of all the schema's nodes the targets need (Rasa's minimal schema).

    ``needs`` maps every node of the schema to the names it needs. As under dask, the minimal schema
    is found without regard to the inputs, every node of it is called (also one that only feeds a
    node an input stands in for), and a node named like an input is not called: the input is its
    output. A cycle is a ``GraphRunError`` (Rasa's schema validation rejects one before a model is
    saved).
    """
    order: List[Step] = []
    placed: Set[str] = set()
    started: Set[str] = set()
    for target in targets:
        stack: List[Tuple[str, bool]] = [(target, False)]
        while stack:
            name, expanded = stack.pop()
            if name in placed or name not in needs:
                continue
            if expanded:
                placed.add(name)
                if name not in inputs:
                    order.append((name, needs[name]))
                continue
            if name in started:  # met again below itself
                raise GraphRunError(f"The graph has a cycle through node '{name}'.")
            started.add(name)
            stack.append((name, True))
            stack.extend((need, False) for need in reversed(needs[name]) if need not in placed)
    return order, frozenset(placed)


class InOrderGraphRunner(DaskGraphRunner):
    """``DaskGraphRunner`` whose ``run`` calls the nodes itself, in an order kept per targets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._needs: Dict[str, Tuple[str, ...]] = {
            name: tuple(node.needs.values()) for name, node in self._graph_schema.nodes.items()
        }
        self._orders: Dict[Tuple[Tuple[str, ...], FrozenSet[str]], Tuple[List[Step], FrozenSet[str]]] = {}

    def _order(self, targets: List[str], inputs: FrozenSet[str]) -> Tuple[List[Step], FrozenSet[str]]:
        key = (tuple(targets), inputs)
        found = self._orders.get(key)
        if found is None:
            found = self._orders[key] = run_order(self._needs, targets, inputs)
        return found

    def run(self, inputs: Optional[Dict[str, Any]] = None,
            targets: Optional[List[str]] = None) -> Dict[str, Any]:
        """Runs the graph (see ``GraphRunner.run``): the same results as ``DaskGraphRunner.run``."""
        run_targets = targets if targets else self._graph_schema.target_names
        given = inputs or {}
        order, nodes = self._order(run_targets, frozenset(given))
        earlier: List[str] = []  # as dask's graph grows: the minimal schema's nodes, then each input in turn
        for name, value in given.items():
            if isinstance(value, str) and (value in nodes or value in earlier):
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of the input "
                    f"names passed to the `run` method are the same as node names in the graph schema."
                )
            earlier.append(name)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(f"Running graph with inputs: {inputs}, targets: {targets} and {self._execution_context}.")
        results: Dict[str, Any] = {name: (name, value) for name, value in given.items()}
        try:
            for name, needs in order:
                results[name] = self._instantiated_nodes[name](*(results.get(need, need) for need in needs))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(results[target] for target in run_targets)  # KeyError for an unknown target, as dask


def install() -> None:
    """The processor's predict graphs run by ``InOrderGraphRunner`` (once per process)."""
    global _installed
    if _installed:
        return
    import rasa.core.processor

    rasa.core.processor.DaskGraphRunner = InOrderGraphRunner  # type: ignore[misc]
    _installed = True
