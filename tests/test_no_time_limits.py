"""No test has a wall-clock limit or reads the clock (a loaded machine breaks any
limit, and a time measured in a test means nothing); long tests are marked slow."""

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


CLOCKS = {"time", "perf_counter", "monotonic", "process_time", "perf_counter_ns", "time_ns"}


def test_no_test_reads_the_clock():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in CLOCKS and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "time"):
                found.append(f"{path.relative_to(TESTS)}:{node.lineno} time.{node.func.attr}()")
    assert not found, "tests that read the clock:\n" + "\n".join(found)
