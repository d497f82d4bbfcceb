"""``import citekit.cli`` works without fcntl (Windows) and imports no heavy module; locks still hold."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("citekit.render", "citekit.csl.processor", "requests", "bibtexparser", "rich", "citekit.zotero.webapi",
         "citekit.links.check", "citekit.bibtex.reader", "citekit.export", "citekit.sources")


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_the_cli_imports_without_fcntl_and_without_heavy_modules() -> None:
    proc = _python("import sys\nsys.modules['fcntl'] = None\nimport citekit.cli\n"
                   f"print([m for m in {HEAVY!r} if m in sys.modules])")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_fallback_lock_excludes_a_second_holder(tmp_path) -> None:  # noqa: ANN001
    code = f"""
import sys
sys.modules['fcntl'] = None
sys.modules['msvcrt'] = None
from citekit.fileio import file_lock, LockTimeout, lock_path_for
target = {str(tmp_path / 'a.bib')!r}
with file_lock(target):
    try:
        with file_lock(target, timeout=0.2):
            print('second holder got in')
    except LockTimeout as exc:
        print('refused:', exc)
with file_lock(target, timeout=0.2):
    print('free again')
"""
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr
    assert "refused: " in proc.stdout and "free again" in proc.stdout and "second holder" not in proc.stdout


def test_shell_completion_answers(tmp_path) -> None:  # noqa: ANN001
    import os

    env = dict(os.environ, _CITEKIT_COMPLETE="complete_bash", COMP_WORDS="citekit format --to ", COMP_CWORD="3")
    proc = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'citekit'\nfrom citekit.cli import main\n"
                           "main()"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0 and proc.stdout.split() == ["text", "html", "markdown", "latex", "json"]


def test_a_secret_is_redacted_from_any_message() -> None:
    from typer.testing import CliRunner

    from citekit.cli import app

    secret = "zk-0123456789-secret"
    r = CliRunner().invoke(app, ["format", "--library", f"/nowhere/{secret}.bib"], env={"ZOTERO_API_KEY": secret})
    assert r.exit_code == 2 and "/nowhere/[redacted].bib" in r.stderr and secret not in r.stderr


def test_citekit_alone_shows_the_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "citekit"], capture_output=True, text=True, timeout=120)
    assert proc.stderr.startswith("Usage: ") and "Commands:" in proc.stderr and "\n" in proc.stderr.strip()


def test_importing_the_cli_leaves_the_collector_on_and_a_command_turns_it_on() -> None:
    """The collector is off only while the command line is assembled and parsed (start-up speed);
    an importer, and every command, run with it on."""
    proc = _python("import gc\nimport citekit.cli\nprint(gc.isenabled())\n"
                   "import sys\nsys.argv = ['citekit', 'styles', 'list']\n"
                   "import atexit\natexit.register(lambda: print('at exit', gc.isenabled()))\n"
                   "citekit.cli.main()")
    assert proc.stdout.splitlines()[0] == "True", proc.stderr
    assert proc.stdout.splitlines()[-1] == "at exit True", proc.stdout + proc.stderr


COMMAND_MODULES = ("citekit.cli.formatting", "citekit.cli.latex", "citekit.cli.links", "citekit.cli.zotero",
                   "citekit.cli.care")


def _modules_after(argv: list[str]) -> tuple[str, list[str]]:
    proc = _python(f"import sys\nsys.argv = ['citekit', *{argv!r}]\nimport atexit\n"
                   f"atexit.register(lambda: print([m for m in {COMMAND_MODULES!r} if m in sys.modules]))\n"
                   "from citekit.cli import main\nmain()")
    return proc.stdout, proc.stdout.strip().splitlines()[-1]


def test_the_help_lists_every_command_without_building_one() -> None:
    out, loaded = _modules_after(["--help"])
    assert loaded == "[]"
    from citekit.cli import COMMANDS

    listed = out.split("Commands:")[1].split()
    assert [name for name in COMMANDS if name in listed] == list(COMMANDS)


def test_a_command_builds_only_its_own_module() -> None:
    assert _modules_after(["styles", "list"])[1] == "['citekit.cli.formatting']"
    assert _modules_after(["zotero", "--help"])[1] == "['citekit.cli.zotero']"


def test_the_commands_table_is_the_commands_own_help() -> None:
    """The table that lists commands without building them says what each command's help says."""
    import typer
    from typer._click.utils import make_default_short_help

    from citekit.cli import _SETTINGS, COMMANDS

    built: dict = {}
    for module in dict.fromkeys(m for m, _ in COMMANDS.values()):
        sub = typer.Typer(**_SETTINGS)
        __import__(f"citekit.cli.{module}", fromlist=["register"]).register(sub)
        for name, command in typer.main.get_group(sub).commands.items():
            built[name] = (module, command)
    assert set(built) == set(COMMANDS)
    for name, (module, command) in built.items():
        assert COMMANDS[name][0] == module and not command.hidden
        for limit in (30, 45, 60, 80, 120, 200):
            assert make_default_short_help(COMMANDS[name][1], limit) == command.get_short_help_str(limit), name


def test_completion_of_command_names_builds_no_command() -> None:
    import os

    env = dict(os.environ, _CITEKIT_COMPLETE="complete_bash", COMP_WORDS="citekit ex", COMP_CWORD="1")
    code = (f"import sys, atexit\natexit.register(lambda: print([m for m in {COMMAND_MODULES!r} if m in sys.modules]))"
            "\nsys.argv[0] = 'citekit'\nfrom citekit.cli import main\nmain()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert proc.stdout.split() == ["export", "[]"], proc.stdout + proc.stderr


def test_formatting_a_small_library_loads_neither_openssl_nor_logging_nor_the_manuscript_readers() -> None:
    """Start-up: these cost milliseconds to import, and a plain `citekit format` needs none of them."""
    proc = _python("import sys\nsys.argv = ['citekit', 'format']\nimport atexit\n"
                   "atexit.register(lambda: print(sorted(m for m in ('_hashlib', 'logging', 'tempfile', 'citekit.citing')"
                   " if m in sys.modules)))\nfrom citekit.cli import main\nmain()")
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout[-500:] + proc.stderr


def test_a_pattern_compiled_later_is_compiled_once_on_first_use() -> None:
    from citekit.perf import compiled_later

    pattern = compiled_later(r"[\u4e00-\u9fff]+")
    assert pattern() is pattern() and pattern().findall("a 中文 b") == ["中文"]
