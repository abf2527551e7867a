"""Imports point one way: bottom layers never import from the layers above them."""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "bayesjoint"

# Each layer may import only from the layers listed for it (and itself).
LEVEL = {
    "earth": 0, "data": 0, "physics": 0, "resources": 0,
    "model": 1, "datasets": 1, "datatypes": 1,
    "samplers": 2, "summaries": 2,
    "plotting": 3,
    "workflow": 4, "report": 4, "xdisc_report": 4,
    "io": 5, "commands": 5, "cli": 5,
}


DESCRIPTOR_LAYER = "datatypes"
"""The data-type descriptors: at module level they import only the bottom layers
(earth, data, physics) and themselves; the callables they hand out import the
layer that implements them (model, io, plotting, commands) when called."""


def _layer(module_path):
    parts = module_path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0] if parts[0] != "__init__" else None


def _imported_layers(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "bayesjoint" and len(parts) > 1:
                yield parts[1], node.lineno


def _module_level_lines(path):
    """Line numbers of the imports outside every function of ``path``."""
    tree = ast.parse(path.read_text())
    inside = {n.lineno for f in ast.walk(tree)
              if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return {n.lineno for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom)) and n.lineno not in inside}


def test_every_layer_is_known():
    layers = {_layer(p) for p in PACKAGE.rglob("*.py")} - {None}
    assert layers <= set(LEVEL), f"layers missing from LEVEL: {sorted(layers - set(LEVEL))}"


def test_imports_point_downward():
    bad = []
    for path in PACKAGE.rglob("*.py"):
        layer = _layer(path)
        if layer is None:
            continue
        module_level = _module_level_lines(path)
        for target, line in _imported_layers(path):
            if target not in LEVEL:
                continue
            if layer == DESCRIPTOR_LAYER:
                allowed = (LEVEL[target] == 0 or target == layer) if line in module_level else True
            else:
                allowed = LEVEL[target] <= LEVEL[layer]
            if not allowed:
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports bayesjoint.{target}")
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_no_import_by_name():
    """Every import is an import statement, so that the tests above see it."""
    bad = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.Name):
                names = [node.id]
            if any(n in ("importlib", "import_module", "__import__") for n in names):
                bad.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not bad, "imports by name:\n" + "\n".join(bad)


def test_physics_imports_only_jax_and_numpy():
    allowed = {"jax", "numpy", "math", "functools", "typing", "bayesjoint"}
    for path in (PACKAGE / "physics").glob("*.py"):
        if path.name == "reference.py":  # reads obspy's tables: NumPy in, NumPy out
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                mods = [node.module]
            for m in mods:
                assert m.split(".")[0] in allowed, f"{path.name} imports {m}"


def _private_uses(path):
    """``bayesjoint`` names starting with one underscore that ``path`` imports or reads."""
    tree = ast.parse(path.read_text())
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {(a.asname or a.name).split(".")[0] for a in node.names
                        if a.name.split(".")[0] == "bayesjoint"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bayesjoint"):
            for a in node.names:
                if a.name.startswith("_") and not a.name.startswith("__"):
                    yield f"{node.module}.{a.name}", node.lineno
                aliases.add(a.asname or a.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases:
                yield ast.unparse(node), node.lineno


def test_benchmarks_use_only_public_names():
    bad = [f"{path.name}:{line} uses {name}"
           for path in (PACKAGE.parent / "benchmarks").glob("*.py")
           for name, line in _private_uses(path)]
    assert not bad, "private names of the package in benchmarks:\n" + "\n".join(bad)
