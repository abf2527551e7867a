"""No test has a wall-clock limit (a loaded machine breaks any); long tests are marked slow."""

import ast
import pathlib

TESTS = pathlib.Path(__file__).resolve().parent


def test_no_call_in_the_tests_takes_a_timeout():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and any(k.arg == "timeout" for k in node.keywords):
                found.append(f"{path.relative_to(TESTS)}:{node.lineno}")
            elif isinstance(node, ast.Attribute) and node.attr == "timeout" and \
                    isinstance(node.value, ast.Attribute) and node.value.attr == "mark":
                found.append(f"{path.relative_to(TESTS)}:{node.lineno} (pytest.mark.timeout)")
    assert not found, "wall-clock limits in tests:\n" + "\n".join(found)
