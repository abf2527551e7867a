"""Importing bayesjoint sets up JAX: float64, one CPU device per core, the compilation cache."""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import bayesjoint, jax, jax.numpy as jnp
    # a computation slow enough to compile (over the 1 s threshold) is cached
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    f = jax.jit(lambda x: jnp.sin(x) * 2.0)
    print(f(jnp.ones(3)).dtype, len(jax.devices()))
""")


def _run(tmp_path, **env):
    full = {**os.environ, **env}
    full.pop("JAX_NUM_CPU_DEVICES", None)
    full.pop("JAX_COMPILATION_CACHE_DIR", None)
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=full, cwd=tmp_path, check=True).stdout.split()


def test_compilation_cache_folder_is_used_and_can_be_switched_off(tmp_path):
    cache = tmp_path / "cache"
    dtype, _ = _run(tmp_path, BAYESJOINT_CACHE_DIR=str(cache))
    assert dtype == "float64"
    assert cache.is_dir() and any(cache.iterdir())
    off = tmp_path / "off"
    _run(tmp_path, BAYESJOINT_CACHE_DIR="off", HOME=str(off))
    assert not (off / ".cache" / "bayesjoint").exists()


def test_cpu_device_count_from_the_environment(tmp_path):
    assert _run(tmp_path, BAYESJOINT_CPU_DEVICES="3")[1] == "3"
    assert _run(tmp_path, BAYESJOINT_CPU_DEVICES="1")[1] == "1"
