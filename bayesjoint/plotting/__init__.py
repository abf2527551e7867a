"""Matplotlib figures. Every function takes ``ax=`` and returns the axes it drew on."""
