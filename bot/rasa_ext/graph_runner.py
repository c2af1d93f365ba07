"""The model's graphs run node by node in a fixed order, without dask's scheduler (issue #17).

Rasa 3.6 runs its predict graphs through ``DaskGraphRunner``: on every run it works out the
minimal schema for the targets again, builds a dask graph of it, and hands it to dask's local
scheduler, which orders the tasks, tracks their states and releases their data, all in Python.
The server runs the NLU graph once a message and the core graph once a prediction (three or
more a turn): under load this bookkeeping held Python's lock for about 8 % of the server's time
(py-spy, 10 conversations at once), beside nodes whose own work it does not change.

``InOrderGraphRunner`` runs the same ``GraphNode`` objects with the same inputs and returns the
same results: each node needed by the targets is called once, after the nodes it needs, with
their ``(name, output)`` pairs in the order of its ``needs``, as dask passes them. A run's inputs
stand in for nodes of the same name, and a name that is neither is passed as the bare name, as
dask does (``GraphNode`` then reports the missing input); an unknown target is a ``KeyError``, as
under dask. The order for a set of targets and
inputs is worked out once and kept: a loaded graph's schema does not change. A ``RuntimeError``
becomes ``GraphRunError``, as in ``DaskGraphRunner.run``; any other error passes through.

``install()`` makes the processor load its predict graphs with this runner, in the processes that
run the Rasa server or shell (``bot/rasa_ext/runtime.py``); training keeps ``DaskGraphRunner``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

logger = logging.getLogger(__name__)
_installed = False

Step = Tuple[str, Tuple[str, ...]]  # a node's name and the names of what it needs, in order


def run_order(needs: Dict[str, Tuple[str, ...]], targets: List[str], inputs: FrozenSet[str]) -> List[Step]:
    """The nodes the targets need, each after everything it needs (depth first, needs in order).

    ``needs`` maps every node of the schema to the names it needs; names in ``inputs`` are
    given, not computed, even when a node has the same name. A cycle is a ``GraphRunError``
    (Rasa's schema validation rejects one before a model is saved).
    """
    order: List[Step] = []
    placed = set(inputs)
    started = set()
    for target in targets:
        stack: List[Tuple[str, bool]] = [(target, False)]
        while stack:
            name, expanded = stack.pop()
            if name in placed or name not in needs:
                continue
            if expanded:
                placed.add(name)
                order.append((name, needs[name]))
                continue
            if name in started:  # met again below itself
                raise GraphRunError(f"The graph has a cycle through node '{name}'.")
            started.add(name)
            stack.append((name, True))
            stack.extend((need, False) for need in reversed(needs[name]) if need not in placed)
    return order


class InOrderGraphRunner(DaskGraphRunner):
    """``DaskGraphRunner`` whose ``run`` calls the nodes itself, in an order kept per targets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._needs: Dict[str, Tuple[str, ...]] = {
            name: tuple(node.needs.values()) for name, node in self._graph_schema.nodes.items()
        }
        self._orders: Dict[Tuple[Tuple[str, ...], FrozenSet[str]], List[Step]] = {}

    def _order(self, targets: List[str], inputs: FrozenSet[str]) -> List[Step]:
        key = (tuple(targets), inputs)
        order = self._orders.get(key)
        if order is None:
            order = self._orders[key] = run_order(self._needs, targets, inputs)
        return order

    def run(self, inputs: Optional[Dict[str, Any]] = None,
            targets: Optional[List[str]] = None) -> Dict[str, Any]:
        """Runs the graph (see ``GraphRunner.run``): the same results as ``DaskGraphRunner.run``."""
        run_targets = targets if targets else self._graph_schema.target_names
        given = inputs or {}
        order = self._order(run_targets, frozenset(given))
        for value in given.values():
            if isinstance(value, str) and (value in given or any(value == name for name, _ in order)):
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of the input "
                    f"names passed to the `run` method are the same as node names in the graph schema."
                )
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
