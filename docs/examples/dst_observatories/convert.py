"""Write the Dst C-responses of four observatories in the column set `bayesjoint` reads.

The source files (Kakioka, Fredericksburg, Irkutsk, Memambetsu; estimated
with MagTFs, Ren et al. 2025, Computers & Geosciences 195:105769,
doi:10.1016/j.cageo.2024.105769) carry extra columns (raw Z/H transfer
function, coherences, Semenov (2011) comparison values). This keeps their
``#`` lines (source, citation, coordinates, conventions) and the columns
``period_s,c_re_km,c_im_km,c_std_km`` of a Dst CSV file
(docs/configuration.md), values copied as written.

Usage: ``python convert.py SOURCE_FOLDER`` writes ``data/<OBS>.csv`` here.
"""

import csv
import sys
from pathlib import Path

OBSERVATORIES = ("kak", "frd", "irt", "mmb")
COLUMNS = ("period_s", "c_re_km", "c_im_km", "c_std_km")


def convert(source, target):
    lines = source.read_text().splitlines()
    comments = [ln for ln in lines if ln.startswith("#")]
    rows = list(csv.DictReader(ln for ln in lines if ln.strip() and not ln.startswith("#")))
    with target.open("w", newline="") as f:
        f.write("\n".join(comments) + "\n")
        f.write(f"# Converted by docs/examples/dst_observatories/convert.py: columns "
                f"{','.join(COLUMNS)} kept, values as written in {source.name}.\n")
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row[c] for c in COLUMNS])


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    out = Path(__file__).resolve().parent / "data"
    out.mkdir(exist_ok=True)
    for obs in OBSERVATORIES:
        convert(folder / f"{obs}_c_response.csv", out / f"{obs.upper()}.csv")
        print(f"wrote {out / (obs.upper() + '.csv')}")
