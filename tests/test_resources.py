"""Memory estimates of user-given sizes, checked before allocating."""

import pytest

from bayesjoint.resources import (MEMORY_FRACTION, check_forward_size, check_memory,
                                  check_sampler_size, draws_memory_bytes, format_bytes,
                                  forward_memory_bytes, physical_memory_bytes)

GIB = 1024**3


def test_format_bytes():
    assert format_bytes(512) == "512 B"
    assert format_bytes(1.5 * GIB) == "1.5 GiB"
    assert format_bytes(3 * 1024**5) == "3.07e+03 TiB"


def test_physical_memory_is_known_here():
    total = physical_memory_bytes()
    assert total is not None and total > 100 * 1024**2


def test_check_memory_limit_is_a_fraction_of_the_machine():
    check_memory("x", MEMORY_FRACTION * 8 * GIB, total_bytes=8 * GIB)
    with pytest.raises(ValueError, match=r"^x would need about 4 GiB of memory, more than 50% "
                                         r"of this machine's 8 GiB \(4 GiB\)"):
        check_memory("x", MEMORY_FRACTION * 8 * GIB + 1, total_bytes=8 * GIB)


def test_forward_size():
    assert forward_memory_bytes(1000, 10) == 1000 * (1024 + 16 * 10)
    check_forward_size("--npts = 4096 samples", 4096, 3)
    with pytest.raises(ValueError, match="--npts = 2000000000 samples with 3 layer"):
        check_forward_size("--npts = 2000000000 samples", 2_000_000_000, 3)


def test_sampler_size():
    assert draws_memory_bytes(4, 1000, 100, n_replicas=2) == 2 * 8 * 4 * 2 * 1000 * 100
    check_sampler_size(4, 10_000, 200, total_bytes=8 * GIB)
    with pytest.raises(ValueError, match=r"64 chain\(s\) x 1 replica\(s\) x 10000000 kept draws "
                                         r"x 200 values would need about 1.86 TiB"):
        check_sampler_size(64, 10_000_000, 200, total_bytes=8 * GIB)
