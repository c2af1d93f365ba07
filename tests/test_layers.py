"""The layers of README's layout table, checked on the import statements themselves.

ruff's TID251 (pyproject.toml) bans the frameworks in bot/core/; this also checks the
direction between the project's own folders, which a ban list cannot express.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Set

import pytest

from bot import PROJECT_ROOT

FRAMEWORKS = {"rasa", "rasa_sdk", "sanic", "sqlalchemy", "socketio", "tensorflow"}
# what each layer may import of the project's own code and of the frameworks
ALLOWED: Dict[str, Set[str]] = {
    "bot/core": {"bot", "bot.core"},
    "bot/storage": {"bot", "bot.core", "bot.storage", "sqlalchemy"},
    "bot/rasa_ext": {"bot", "bot.core", "bot.storage", "bot.rasa_ext"} | FRAMEWORKS,
    "bot/app": {"bot", "bot.core", "bot.storage", "bot.app", "bot.rasa_ext"} | FRAMEWORKS,
    "actions": {"bot", "bot.core", "bot.storage", "actions", "rasa_sdk", "sanic"},
}


def imported(path: Path) -> Set[str]:
    names: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def layer_of(module: str) -> str:
    """'bot.core.safety' -> 'bot.core'; 'rasa.core.agent' -> 'rasa'; 'bot' -> 'bot'."""
    parts = module.split(".")
    if parts[0] == "bot" and len(parts) > 1 and parts[1] in {"core", "storage", "rasa_ext", "app"}:
        return ".".join(parts[:2])
    return parts[0]


OWN_OR_FRAMEWORK = {"bot", "actions", "harness"} | FRAMEWORKS


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(folder: str) -> None:
    wrong = []
    for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
        for module in imported(path):
            layer = layer_of(module)
            if module.split(".")[0] in OWN_OR_FRAMEWORK and layer not in ALLOWED[folder]:
                wrong.append(f"{path.relative_to(PROJECT_ROOT)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_checks_see_a_wrong_import() -> None:
    assert layer_of("bot.rasa_ext.stores") not in ALLOWED["bot/core"]
    assert layer_of("sqlalchemy.engine") not in ALLOWED["bot/core"]
    assert layer_of("harness.stack") not in ALLOWED["actions"]
    assert layer_of("bot") in ALLOWED["bot/core"]


def test_the_harness_is_not_part_of_the_installed_package() -> None:
    text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'include = ["bot*", "actions*"]' in text
    assert not (PROJECT_ROOT / "bot" / "stack.py").exists() and (PROJECT_ROOT / "harness" / "stack.py").exists()


def test_the_readme_layout_names_every_folder_and_module() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## How the project is laid out", 1)[1].split("\n## ", 1)[0]
    folders = ["bot/core/", "bot/storage/", "bot/rasa_ext/", "bot/app/", "actions/", "harness/"]
    assert all(f"| `{folder}` |" in layout for folder in folders)
    modules = [p for folder in folders for p in (PROJECT_ROOT / folder).rglob("*.py") if p.name != "__init__.py"]
    unnamed = [str(p.relative_to(PROJECT_ROOT)) for p in modules if f"`{p.name}`" not in layout]
    assert not unnamed, f"README's layout section does not name: {unnamed}"
