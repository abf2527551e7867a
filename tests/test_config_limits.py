"""A run configuration whose kept draws would not fit in memory is refused before it runs."""

import pytest

from bayesjoint.io.config import load_config


def test_oversized_run_is_refused_with_the_memory_it_needs(tmp_path):
    (tmp_path / "mt.csv").write_text("period_s,rho_a_ohm_m,phase_deg\n1,100,45\n")
    cfg = tmp_path / "run.toml"
    cfg.write_text('[[data]]\ntype = "mt"\nfile = "mt.csv"\n'
                   '[prior]\ninterfaces = "sampled"\nk_max = 30\ndepth_max_km = 400.0\n'
                   '[sampler]\nmethod = "rjmcmc"\nn_chains = 100000\nn_iterations = 100000000\n'
                   'n_burn = 0\nthin = 1\nchunk_size = 1000\n')
    with pytest.raises(ValueError, match=r"run\.toml.*(GiB|TiB|PiB)"):
        load_config(cfg)
