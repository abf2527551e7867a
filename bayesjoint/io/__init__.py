"""Readers and writers that fill the containers of :mod:`bayesjoint.data`.

:mod:`bayesjoint.io.mt_files` reads MT transfer functions (EDI, EMTF-XML)
through mt-metadata; :mod:`bayesjoint.io.csv_files` reads and writes plain
CSV tables of MT data and layered conductivity models.
"""
