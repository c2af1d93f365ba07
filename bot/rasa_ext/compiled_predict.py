"""DIET's compiled predict step called as the one graph it is (issue #17).

Rasa 3.6 compiles a TF model's ``predict_step`` with ``tf.function`` and a fixed input signature
(``RasaModel._rasa_predict``). Each call then goes through the function's own matching of the
arguments to a traced graph: canonicalising ten inputs, comparing their types with the signature,
looking up the graph. With a fixed signature there is only one graph, so its concrete function can
be called directly: 0.9 -> 0.6 ms of Python a message on an NLU thread, the same numbers out.

The rest of ``_rasa_predict`` is Rasa's: the first call (which traces the step), a model run
eagerly and functions run eagerly for debugging go through Rasa's own code; the outputs are
converted and the diagnostic data tidied as Rasa does. ``tests/test_compiled_predict.py`` compares
the parses of the trained model both ways.

``install()`` is called by the processes that run the Rasa server or shell (``runtime.py``).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Tuple

_installed = False
KEPT = "_mild_concrete_predict"  # on each model: (its tf.function, that function's one graph)


def concrete_predict(original: Callable[..., Dict[str, Any]]) -> Callable[..., Dict[str, Any]]:
    """``RasaModel._rasa_predict`` calling the traced graph of ``_tf_predict_step`` directly."""

    @functools.wraps(original)
    def _rasa_predict(self: Any, batch_in: Tuple[Any, ...]) -> Dict[str, Any]:
        import tensorflow as tf

        step = getattr(self, "_tf_predict_step", None)
        if step is None or self._run_eagerly or not self.prepared_for_prediction \
                or tf.config.functions_run_eagerly():  # debugging: the tf.function runs Python then
            return original(self, batch_in)
        kept = self.__dict__.get(KEPT)
        if kept is None or kept[0] is not step:
            kept = self.__dict__[KEPT] = (step, step.get_concrete_function())
        from keras.utils import tf_utils
        from rasa.shared.constants import DIAGNOSTIC_DATA

        self._training = False
        outputs = tf_utils.sync_to_numpy_or_python_type(kept[1](batch_in))
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs

    return _rasa_predict


def install() -> None:
    """Rasa's TF models call their compiled predict step directly (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.utils.tensorflow.models import RasaModel

    RasaModel._rasa_predict = concrete_predict(RasaModel._rasa_predict)  # type: ignore[method-assign]
    _installed = True
