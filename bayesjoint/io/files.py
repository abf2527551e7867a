"""Opening the files that readers are given: every problem is a ``ValueError`` naming the file.

A missing file, a folder, a file that cannot be read, one too large for the
memory, or a binary file where text is expected each end in one message of
the form ``PATH: what is wrong``, so that the command line can print it as
one line.
"""

import pathlib

from bayesjoint.resources import CSV_BYTES_PER_FILE_BYTE, check_memory


def readable_file(path):
    """The path of an existing regular file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        ``PATH: no such file``, ``PATH: is a folder, expected a file``, or
        ``PATH: not a regular file``.
    """
    path = pathlib.Path(path)
    try:
        if path.is_dir():
            raise ValueError(f"{path}: is a folder, expected a file")
        if not path.exists():
            raise ValueError(f"{path}: no such file")
        if not path.is_file():
            raise ValueError(f"{path}: not a regular file")
    except OSError as err:  # e.g. a name too long, a path through a file
        raise ValueError(f"{path}: cannot be opened ({err.strerror or err})") from None
    return path


def read_text(path, what="a text file"):
    """The whole text of a UTF-8 file (a byte-order mark is dropped).

    Parameters
    ----------
    path : str or path-like
    what : str
        What the file should be, for the message (``"a CSV file"``).

    Returns
    -------
    str
        With universal newlines.

    Raises
    ------
    ValueError
        Naming the file: the errors of :func:`readable_file`, a file that
        cannot be read, one whose parsing would not fit in memory, or bytes
        that are not UTF-8 text (with their position).
    """
    path = readable_file(path)
    try:
        size = path.stat().st_size
        check_memory(f"{path} ({size} bytes)", size * CSV_BYTES_PER_FILE_BYTE)
        raw = path.read_bytes()
    except OSError as err:
        raise ValueError(f"{path}: cannot be read ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not UTF-8 text (byte {err.start}: {err.reason}); expected "
                         f"{what}") from None
    if "\x00" in text:
        raise ValueError(f"{path}: holds NUL bytes, so it is a binary file; expected {what}")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def refuse_keys_for_csv(entry, keys, what):
    """Raise ValueError when a CSV file's table sets keys only other formats use.

    Parameters
    ----------
    entry : dict
        A validated ``[[data]]`` table.
    keys : iterable of str
        Keys with no meaning for a CSV file.
    what : str
        The formats the keys belong to, for the message.
    """
    given = sorted(k for k in keys if k in entry)
    if given:
        raise ValueError(f"data table {entry.get('name')!r} (file {entry['file']}): "
                         f"{', '.join(given)} apply to {what} only; a CSV file carries its "
                         "values in its columns, so remove them or give another file")
