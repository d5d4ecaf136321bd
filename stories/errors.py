class EditorialError(Exception):
    """A workflow was refused; the message says why, in words an editor can act on."""
