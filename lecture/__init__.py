"""The `lecture` command: render, preview, watch and assemble the clips; thin over scenes and engine."""


class UserError(Exception):
    """Bad input from the user: printed as one line, exit status 2, nothing written."""
