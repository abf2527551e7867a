"""Invert a real long-period MT transfer function: USMTArray site NMX20.

The EMTF-XML file ships with mt-metadata (``mt_metadata/data/transfer_functions/NMX20.xml``).
We invert the Berdichevsky invariant (mean of Zxy and -Zyx) as log10 apparent
resistivity and phase, with a 5 % error floor, on 24 fixed log-spaced layers
(interfaces from 5 to 800 km) with the Gaussian smoothness prior (step std 0.5), using NUTS.

Run from the repository root::

    python docs/examples/real_mt_nmx20.py [--out DIR]

It writes the usual run folder (posterior.nc, profile.png, datafit.png,
summary.json) and copies the two figures to docs/figures/.
"""

import argparse
import pathlib
import shutil

import mt_metadata

from bayesjoint.io.mt_files import read_mt_transfer_function
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers.nuts import NUTSConfig, set_host_device_count
from bayesjoint.workflow import invert


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="nmx20_run")
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    parallel = set_host_device_count(2)

    path = (pathlib.Path(mt_metadata.__file__).parent / "data" / "transfer_functions"
            / "NMX20.xml")
    data = read_mt_transfer_function(path, component="berdichevsky", kind="rho_phase",
                                     rel_error_floor=0.05, name="nmx20")
    prior = PriorSpec(n_layers=24, depth_max_km=800.0, first_interface_km=5.0,
                      smoothness_std=0.5)
    sampler = NUTSConfig(n_chains=2, n_burn=args.samples, n_iterations=2 * args.samples,
                         seed=1, chain_method="parallel" if parallel else "vectorized")
    result = invert([data], prior, sampler, args.out,
                    settings={"data_file": "mt_metadata/data/transfer_functions/NMX20.xml",
                              "component": "berdichevsky", "rel_error_floor": 0.05})
    figures = pathlib.Path(__file__).resolve().parents[1] / "figures"
    for name in ("profile.png", "datafit.png"):
        shutil.copy(pathlib.Path(args.out) / name, figures / f"nmx20_{name}")
    print(result["resolved_depth_range_km"], result["diagnostics"]["worst"])


if __name__ == "__main__":
    main()
