"""The error catalogue lives in the Qt-free session package (lessons and the CLI use it too);
this name stays for the views that import it from here."""

from ..session.error_help import GENERIC, ErrorHelp, explain

__all__ = ["GENERIC", "ErrorHelp", "explain"]
