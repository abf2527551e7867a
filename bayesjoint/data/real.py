"""Published real electromagnetic responses shipped with bayesjoint, and where they come from.

The files live in ``bayesjoint/data/real_files/``; :func:`real_data_path`
finds one. Each CSV starts with ``#`` lines that state its source (repository,
path and commit), the site, the conventions and the papers to cite; then a
header naming the columns (units in the names). The numbers were copied as
text, not re-formatted. Read them with the project's readers
(:func:`bayesjoint.io.csv_files.read_mt_csv`,
:func:`bayesjoint.io.geomag_files.read_dst_csv`,
:func:`bayesjoint.io.geomag_files.read_sq_csv`,
:func:`bayesjoint.io.csv_files.read_conductivity_model_csv`).

Files and citations
-------------------
``tuc_mt.csv``
    Tucson (TUC) very-long-period MT, log10 apparent resistivity and phase,
    16 periods, 4.6 h to 5 d, with the errors of the published inversion and
    the original (smaller) errors. From github.com/hongbo-yao/BayesMTGDS
    (commit 5650e03). Cite Yao, Ren, Tang, Guo & Yan (2023), GJI 233(3),
    1821-1846, doi:10.1093/gji/ggad029, and for the MT data Egbert, Booker &
    Schultz (1992), JGR 97(B11), 15113-15128.
``tuc_c_response.csv``
    Tucson Dst C-responses, 20 periods, 6 to 100 d, same source and paper.
``kak_c_response.csv``, ``frd_c_response.csv``, ``irt_c_response.csv``, ``mmb_c_response.csv``
    Dst C-responses at Kakioka, Fredericksburg, Irkutsk and Memambetsu, 15
    periods, 3 to 104 d, with the geomagnetic colatitude used in a header
    line, and Semenov (2011) values for comparison. From
    github.com/hongbo-yao/MagTFs (commit 2030114). Cite Ren, Zuo, Yao, Chen,
    Xu, Tang & Zhang (2025), Computers & Geosciences 195, 105769,
    doi:10.1016/j.cageo.2024.105769; for the comparison values Semenov &
    Kuvshinov (2012), GJI 191, 965.
``bmt_sq_g2l.csv``, ``bmt_sq_g2l_all_terms.csv``
    Sq global-to-local transfer functions at Beijing Ming Tombs (BMT): the
    dominant term (n, m) = (m + 1, m) at 24, 12, 8 and 6 h, and all 71 terms
    at six periods. Same source and paper as above; comparison values from
    Guzavina, Grayver & Kuvshinov (2019), GJI 219(3), 2125-2147.
``grayver2017_conductivity.csv``
    The global 1-D conductivity model of Grayver et al. (2017), GRL 44,
    6074-6081, doi:10.1002/2017GL073446, as shipped by chaosmagpy 0.16
    (with a 7000 S ocean layer on top and the core at 2900 km).

The Kakioka long-period MT transfer function is not copied: it ships with
mt-metadata (:data:`KAKIOKA_MT_FILE`, read by
:func:`bayesjoint.io.mt_files.read_mt_transfer_function`); cite Fujii,
Ookawa, Nagamachi & Owada (2015), Earth Planets Space 67, 62, and the survey
doi:10.17611/DP/EMTF/INTERMAGNET/JMA.
"""

from pathlib import Path

REAL_FILES_DIR = Path(__file__).resolve().parent / "real_files"
"""Folder of the shipped real-data files."""

REAL_FILES = (
    "tuc_mt.csv", "tuc_c_response.csv", "kak_c_response.csv", "frd_c_response.csv",
    "irt_c_response.csv", "mmb_c_response.csv", "bmt_sq_g2l.csv", "bmt_sq_g2l_all_terms.csv",
    "grayver2017_conductivity.csv",
)
"""Names of the shipped real-data files (see the module docstring)."""

KAKIOKA_MT_FILE = "tf_xml_bad_comments.xml"
"""Kakioka's EMTF-XML transfer function (INTERMAGNET.KAK.2000-2011, 6.4 s to
7.1 d) among mt-metadata's example files; :func:`mt_metadata_file` finds it."""


def real_data_path(name):
    """Path of a shipped real-data file.

    Parameters
    ----------
    name : str
        One of :data:`REAL_FILES`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For a name that is not shipped, listing those that are.
    """
    if name not in REAL_FILES:
        raise ValueError(f"no real-data file {name!r}; shipped files: {', '.join(REAL_FILES)}")
    return REAL_FILES_DIR / name


def mt_metadata_file(name=KAKIOKA_MT_FILE):
    """Path of an example transfer function shipped with mt-metadata.

    Parameters
    ----------
    name : str
        File name inside ``mt_metadata/data/transfer_functions``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        If mt-metadata is not installed or does not ship the file.
    """
    try:
        import mt_metadata
    except ImportError as err:
        raise ValueError("mt-metadata is not installed; it ships the Kakioka transfer "
                         "function (pip install mt-metadata)") from err
    path = Path(mt_metadata.__file__).resolve().parent / "data" / "transfer_functions" / name
    if not path.is_file():
        raise ValueError(f"{path}: mt-metadata {getattr(mt_metadata, '__version__', '')} "
                         f"does not ship {name}")
    return path
