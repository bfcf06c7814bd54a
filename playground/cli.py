"""Command line entry point shared by ``main.py`` and the ``tensor-playground`` script.

With an output flag (``--save``, ``--export-*``) it works headless and exits; otherwise it
opens the window. Every error is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

EXIT_ERROR = 1
EXIT_USAGE = 2


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="tensor-playground",
        description="Build tensors, chain operations and step through PyTorch autograd.",
    )
    parser.add_argument("session", nargs="?", metavar="SESSION",
                        help="a .tpg.json session file to open (or to export)")
    parser.add_argument("--lesson", metavar="NAME", help="start from a shipped lesson")
    parser.add_argument("--list-lessons", action="store_true", help="list the lessons and exit")
    parser.add_argument("--import", dest="snippet", metavar="SNIPPET.py",
                        help="open a PyTorch snippet as a session (parsed, never run)")
    parser.add_argument("--save", metavar="OUT.tpg.json", help="save the session and exit")
    parser.add_argument("--export-script", metavar="OUT.py",
                        help="write the session as a PyTorch script and exit")
    parser.add_argument("--export-script-engine", metavar="OUT.py",
                        help="the same script with `import engine as torch`")
    parser.add_argument("--export-notebook", metavar="OUT.ipynb",
                        help="write the session as a Jupyter notebook and exit")
    parser.add_argument("--do", metavar="ACTIONS", default="",
                        help="step actions to take in the window first, comma separated "
                             "(forward,backward,backward_again,zero_grad,detach,next)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render the window (offscreen) after --do, save it and exit")
    parser.add_argument("--theme", choices=("light", "dark"),
                        help="the window's theme for this run (screenshots are light unless "
                             "this says dark; the theme chosen in the window is kept)")
    return parser


OUTPUT_FLAGS = ("save", "export_script", "export_script_engine", "export_notebook")


def _document(args):
    """The document the arguments name, or None when they name none."""
    sources = [name for name in ("session", "lesson", "snippet") if getattr(args, name)]
    if len(sources) > 1:
        raise ValueError("give only one of SESSION, --lesson and --import")
    if args.session:
        from playground.session.persist import load

        return load(args.session)
    if args.lesson:
        from playground.session.lessons import load_lesson

        return load_lesson(args.lesson)
    if args.snippet:
        from playground.session.importer import import_file

        return import_file(args.snippet)
    return None


def _write_outputs(args, document) -> None:
    from playground.session import Session
    from playground.session.export import script
    from playground.session.persist import save

    session = Session(document)
    if args.save:
        save(document, args.save)
    for path, engine in ((args.export_script, False), (args.export_script_engine, True)):
        if path:
            _write_text(path, script(session, engine=engine))
    if args.export_notebook:
        from playground.session.notebook import write_notebook

        write_notebook(session, args.export_notebook)


def _write_text(path: str, text: str) -> None:
    from playground.session.persist import write_atomically

    write_atomically(path, text)


def _open_window(args, document) -> int:
    try:
        from playground.qt.app import run_window
    except ModuleNotFoundError:
        print("Tensor Playground: the session works headless (see --help); "
              "the window is coming.")
        return 0
    actions = [name for name in args.do.split(",") if name.strip()]
    return run_window(document, lesson=args.lesson, session_path=args.session, actions=actions,
                      screenshot=args.screenshot, theme=args.theme)


def run(args) -> int:
    from playground.session.lessons import lesson_names

    if args.list_lessons:
        print("\n".join(lesson_names()))
        return 0
    document = _document(args)
    if any(getattr(args, flag) for flag in OUTPUT_FLAGS):
        if document is None:
            raise ValueError("nothing to write: give SESSION, --lesson or --import")
        _write_outputs(args, document)
        return 0
    return _open_window(args, document)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except (OSError, ValueError, LookupError) as error:
        # Session-file, lesson and snippet errors are all ValueError/LookupError subclasses
        # whose message is written for the user; OSError covers unwritable outputs.
        message = str(error)
        if isinstance(error, OSError) and error.strerror:
            message = f"{error.filename}: {error.strerror}"
        print(f"tensor-playground: error: {message}", file=sys.stderr)
        return EXIT_ERROR
