"""``gradcli check`` on golden programs: output, exit status, --update, options, JUnit XML."""

import io
import os
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from gradcli import golden
from gradcli.cli.main import cli
from gradcli.cli.report import Reporter

DOUBLE = "x = tensor([1, 2])\nx * 2\n"
DOUBLE_OUT = "tensor([2, 4])\n"
FAILS = 'print("before")\nundefined_name\n'
FAILS_OUT = "before\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty folder, made the working directory so that reports show short paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def program(folder, name, source, out=None, err=None):
    """Writes NAME.gc and, when given, NAME.out and NAME.err."""
    write(folder / f"{name}.gc", source)
    if out is not None:
        write(folder / f"{name}.out", out)
    if err is not None:
        write(folder / f"{name}.err", err)


def check(*args, env=None):
    """Runs ``gradcli check ARGS`` with colour settings cleared unless ``env`` sets them."""
    base = {"NO_COLOR": None, "FORCE_COLOR": None}
    return CliRunner().invoke(cli, ["check", *args], env={**base, **(env or {})})


# ---------------------------------------------------------------------------
# Pass, fail, update
# ---------------------------------------------------------------------------

def test_matching_golden_passes(project):
    program(project, "double", DOUBLE, DOUBLE_OUT)
    result = check(".")
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 passed, 0 failed\n"


def test_changed_golden_fails_with_a_diff_and_update_repairs_it(project):
    program(project, "double", DOUBLE, "tensor([2, 5])\n")

    result = check(".")
    assert result.exit_code == 1
    assert result.stdout == (
        "FAIL double.gc: output differs from double.out\n"
        "--- double.out (expected)\n"
        "+++ double.gc (actual)\n"
        "@@ -1 +1 @@\n"
        "-tensor([2, 5])\n"
        "+tensor([2, 4])\n"
        "\n"
        "0 passed, 1 failed\n")

    result = check("--update", ".")
    assert result.exit_code == 0, result.output
    assert result.stdout == "updated double.out\n0 passed, 0 failed, 1 updated\n"
    assert (project / "double.out").read_text() == DOUBLE_OUT

    result = check(".")
    assert result.exit_code == 0
    assert result.stdout == "1 passed, 0 failed\n"


def test_update_leaves_matching_goldens_byte_identical_and_unmodified(project):
    program(project, "good", DOUBLE, DOUBLE_OUT)
    program(project, "fails", FAILS, FAILS_OUT, "NameError\n")
    program(project, "stale", DOUBLE, "old\n")
    untouched = [project / "good.out", project / "fails.out", project / "fails.err"]
    past = 1_000_000_000 * 1_600_000_000
    for path in untouched:
        os.utime(path, ns=(past, past))
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in untouched}

    result = check("--update", ".")

    assert result.exit_code == 0, result.output
    assert result.stdout == "updated stale.out\n2 passed, 0 failed, 1 updated\n"
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in untouched} == before
    assert (project / "stale.out").read_text() == DOUBLE_OUT
    # Written atomically: no temporary file is left behind.
    assert sorted(p.name for p in project.iterdir()) == [
        "fails.err", "fails.gc", "fails.out", "good.gc", "good.out", "stale.gc", "stale.out"]


def test_update_creates_and_removes_error_goldens(project):
    program(project, "prog", FAILS)
    result = check("--update", ".")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("created prog.out\ncreated prog.err\n"
                             "0 passed, 0 failed, 1 updated\n")
    assert (project / "prog.out").read_text() == FAILS_OUT
    assert (project / "prog.err").read_text() == "NameError\n"
    assert check(".").exit_code == 0

    program(project, "prog", 'print("before")\n')
    result = check("--update", ".")
    assert result.stdout == "removed prog.err\n0 passed, 0 failed, 1 updated\n"
    assert not (project / "prog.err").exists()
    assert check(".").exit_code == 0


def test_update_keeps_the_permissions_of_a_golden(project):
    program(project, "double", DOUBLE, "old\n")
    os.chmod(project / "double.out", 0o640)
    check("--update", ".")
    assert (project / "double.out").stat().st_mode & 0o777 == 0o640


# ---------------------------------------------------------------------------
# NAME.err
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "out", "err", "message"), [
    (FAILS, FAILS_OUT, "NameError\n", None),
    (FAILS, FAILS_OUT, "RuntimeError\n",
     "FAIL prog.gc: expected RuntimeError (prog.err), got NameError"),
    ('print("before")\n', FAILS_OUT, "NameError\n",
     "FAIL prog.gc: expected NameError (prog.err), but the program finished without error"),
    (FAILS, FAILS_OUT, None, "FAIL prog.gc: expected no error, got NameError"),
    ("ones(2) + ones(3)\n", "", "RuntimeError\n", None),
])
def test_err_golden_names_the_error_class_the_program_must_stop_with(
        project, source, out, err, message):
    program(project, "prog", source, out, err)
    result = check(".")
    if message is None:
        assert result.exit_code == 0, result.output
        assert result.stdout == "1 passed, 0 failed\n"
    else:
        assert result.exit_code == 1
        assert result.stdout.splitlines()[0] == message
        assert result.stdout.endswith("0 passed, 1 failed\n")


def test_an_unexpected_error_shows_where_the_program_stopped(project):
    program(project, "prog", FAILS, FAILS_OUT)
    result = check(".")
    assert "the program stopped with:\nNameError: name 'undefined_name' is not defined\n" \
           "  --> prog.gc:2:1\n" in result.stdout


# ---------------------------------------------------------------------------
# Missing goldens, -k, -x, -j, discovery
# ---------------------------------------------------------------------------

def test_missing_golden_is_a_usage_failure_unless_missing_ok(project):
    program(project, "a", DOUBLE, DOUBLE_OUT)
    program(project, "b", DOUBLE)

    result = check(".")
    assert result.exit_code == 2
    assert result.stdout == ("MISSING b.gc: no golden b.out "
                             "(--update writes it, --missing-ok skips it)\n"
                             "1 passed, 1 failed\n")

    result = check("--missing-ok", ".")
    assert result.exit_code == 0
    assert result.stdout == "1 passed, 0 failed, 1 skipped\n"
    assert not (project / "b.out").exists()


def test_k_keeps_files_whose_path_contains_the_pattern(project):
    program(project / "alpha", "one", DOUBLE, DOUBLE_OUT)
    program(project / "beta", "two", DOUBLE, "wrong\n")
    result = check("-k", "alph", "-v", ".")
    assert result.exit_code == 0
    assert result.stdout == "PASS alpha/one.gc\n1 passed, 0 failed\n"
    assert check("-k", "beta", ".").exit_code == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_x_stops_at_the_first_failure(project, jobs):
    program(project, "a", DOUBLE, DOUBLE_OUT)
    program(project, "b", DOUBLE, "wrong\n")
    program(project, "c", DOUBLE, "wrong too\n")
    result = check("-x", "-j", jobs, ".")
    assert result.exit_code == 1
    assert "FAIL b.gc" in result.stdout
    assert "c.gc" not in result.stdout
    assert result.stdout.endswith("stopped at the first failure (-x)\n1 passed, 1 failed\n")


def test_parallel_runs_report_in_the_same_sorted_order(project):
    for i in range(12):
        out = DOUBLE_OUT if i % 3 else f"wrong {i}\n"
        program(project / f"group{i % 2}", f"case{i:02d}", DOUBLE, out)
    program(project, "fails", FAILS, FAILS_OUT, "NameError\n")
    serial = check("-v", "-j", "1", ".")
    parallel = check("-v", "-j", "3", ".")
    assert parallel.exit_code == serial.exit_code == 1
    assert parallel.stdout == serial.stdout
    names = [line.split()[1].rstrip(":") for line in serial.stdout.splitlines()
             if line.startswith(("PASS", "FAIL"))]
    assert names == sorted(names, key=lambda n: n.split("/"))
    assert serial.stdout.endswith("9 passed, 4 failed\n")


def test_folders_are_searched_recursively_skipping_hidden_ones(project):
    program(project / "b", "deep", DOUBLE, DOUBLE_OUT)
    program(project / "a" / "c", "deeper", DOUBLE, DOUBLE_OUT)
    program(project, "top", DOUBLE, DOUBLE_OUT)
    program(project / ".hidden", "skipped", DOUBLE, "wrong\n")
    result = check("-v", ".")
    assert result.stdout == ("PASS a/c/deeper.gc\nPASS b/deep.gc\nPASS top.gc\n"
                             "3 passed, 0 failed\n")


def test_a_file_named_twice_is_checked_once(project):
    program(project, "a", DOUBLE, DOUBLE_OUT)
    assert check("a.gc", ".", "./a.gc").stdout == "1 passed, 0 failed\n"


def test_seed_option_sets_the_random_generator(project):
    program(project, "rand", "randint(0, 1000, (3,))\n")
    assert check("--update", ".").exit_code == 0
    assert check(".").exit_code == 0
    assert check("--seed", "0", ".").exit_code == 0
    assert check("--seed", "1", ".").exit_code == 1


def test_unreadable_program_is_an_error_not_a_crash(project):
    (project / "bad.gc").write_bytes(b"x = 1\n\xff\n")
    write(project / "bad.out", "")
    result = check(".")
    assert result.exit_code == 1
    assert result.stdout == "ERROR bad.gc: cannot read: not UTF-8 text\n0 passed, 1 failed\n"


def test_internal_error_of_gradcli_is_reported_and_the_others_still_run(project, monkeypatch):
    from gradcli import runtime
    program(project, "a", DOUBLE, DOUBLE_OUT)
    program(project, "b", DOUBLE, DOUBLE_OUT)
    real_run = runtime.Session.run

    def run(self, source, filename):
        if filename.endswith("a.gc"):
            raise KeyError("boom")
        return real_run(self, source, filename)

    monkeypatch.setattr(runtime.Session, "run", run)
    result = check(".")
    assert result.exit_code == 1
    assert result.stdout.startswith("ERROR a.gc: gradcli failed with an internal error\n"
                                    "Traceback (most recent call last):\n")
    assert "KeyError: 'boom'" in result.stdout
    assert result.stdout.endswith("1 passed, 1 failed\n")


# ---------------------------------------------------------------------------
# Usage errors
# ---------------------------------------------------------------------------

def test_a_path_that_does_not_exist_is_a_usage_error(project):
    result = check("nowhere")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_a_file_of_unknown_kind_is_a_usage_error(project):
    write(project / "notes.rst", "print(1)\n")
    result = check("notes.rst")
    assert result.exit_code == 2
    assert "notes.rst: cannot check this kind of file" in result.stderr


def test_a_py_program_is_checked_with_script_semantics(project):
    write(project / "s.py", DOUBLE + "print('done')\n")
    write(project / "s.out", "done\n")
    assert check("s.py").exit_code == 0
    assert check(".").exit_code == 0        # found in a folder: it has a golden
    assert check("--echo", "s.py").exit_code == 1   # forced REPL semantics echoes x * 2


def test_a_py_file_without_golden_is_not_a_program_of_a_folder(project):
    write(project / "helper.py", "print(1)\n")
    program(project, "a", DOUBLE, DOUBLE_OUT)
    result = check(".")
    assert result.exit_code == 0
    assert "helper.py" not in result.stdout


def test_nothing_to_check_is_a_usage_error(project):
    (project / "empty").mkdir()
    result = check("empty")
    assert result.exit_code == 2
    assert "nothing to check in empty" in result.stderr
    program(project, "a", DOUBLE, DOUBLE_OUT)
    assert check("-k", "zzz", ".").exit_code == 2


def test_check_is_a_command_of_gradcli():
    result = CliRunner().invoke(cli, ["--help"])
    assert "check" in result.output
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert result.exit_code == 0
    for option in ("-k", "-x", "-j", "--update", "--missing-ok", "--junit-xml", "--seed",
                   "--width"):
        assert option in result.output


# ---------------------------------------------------------------------------
# Terminal output: colour, width, progress
# ---------------------------------------------------------------------------

def test_colour_only_when_asked_and_never_with_no_color(project):
    program(project, "double", DOUBLE, "tensor([2, 5])\n")
    plain = check(".")
    assert "\x1b[" not in plain.stdout
    coloured = check(".", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in coloured.stdout
    assert "tensor([2, 5])" in coloured.stdout
    assert "\x1b[" not in check(".", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_width_changes_neither_goldens_nor_verdicts(project):
    program(project, "wide", "arange(30)\n")
    assert check("--update", "--width", "30", ".", env={"COLUMNS": "30"}).exit_code == 0
    golden_text = (project / "wide.out").read_text()
    assert golden_text.splitlines()[0].endswith("17,")  # wrapped at PyTorch's 80 columns
    for width in ("20", "200"):
        result = check("--width", width, ".", env={"COLUMNS": width, "FORCE_COLOR": "1"})
        assert result.exit_code == 0, result.output
    assert (project / "wide.out").read_text() == golden_text


def test_no_progress_bar_when_output_is_not_a_terminal(project):
    for i in range(25):
        program(project, f"p{i:02d}", DOUBLE, DOUBLE_OUT)
    result = check(".")
    assert result.stdout == "25 passed, 0 failed\n"


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_reporter_draws_a_progress_bar_on_a_terminal():
    stream = _Terminal()
    failed = golden.CaseResult("b.gc", "b.gc", 1, golden.FAILED, "output differs from b.out",
                               "--- b.out (expected)\n+++ b.gc (actual)\n")
    with Reporter(stream, color=False, width=60, progress_total=30) as reporter:
        for _ in range(29):
            reporter.advance()
        reporter.case(failed)
        reporter.advance()
    reporter.summary(29, 1)
    text = stream.getvalue()
    assert "checking" in text
    assert "FAIL b.gc: output differs from b.out\n--- b.out (expected)\n+++ b.gc (actual)\n" in text
    assert text.endswith("29 passed, 1 failed\n")


# ---------------------------------------------------------------------------
# JUnit XML
# ---------------------------------------------------------------------------

def test_junit_xml_report(project):
    program(project / "suite", "good", DOUBLE, DOUBLE_OUT)
    program(project / "suite", "bad", DOUBLE, "tensor([2, 5])\n")
    program(project / "suite", "nogolden", DOUBLE)
    (project / "suite" / "broken.gc").write_bytes(b"\xff")
    write(project / "suite" / "broken.out", "")

    result = check("--missing-ok", "--junit-xml", "reports/junit.xml", "suite")
    assert result.exit_code == 1

    root = ET.parse(project / "reports" / "junit.xml").getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "4", "failures": "1", "errors": "1", "skipped": "1"}
    assert float(suite.get("time")) >= 0
    assert suite.get("name") and suite.get("timestamp")

    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert sorted(cases) == ["bad.gc", "broken.gc", "good.gc", "nogolden.gc"]
    for case in cases.values():
        assert case.get("classname") == "suite"
        assert float(case.get("time")) >= 0
    assert list(cases["good.gc"]) == []
    failure = cases["bad.gc"].find("failure")
    assert failure.get("message") == "output differs from suite/bad.out"
    assert "-tensor([2, 5])\n+tensor([2, 4])\n" in failure.text
    assert cases["broken.gc"].find("error").get("message") == "cannot read: not UTF-8 text"
    assert cases["nogolden.gc"].find("skipped").get("message") == "no golden suite/nogolden.out"


def test_junit_xml_survives_control_characters_in_output(project):
    program(project, "ctl", 'print("\\x1b[31mred\\x00")\n', "other\n")
    assert check("--junit-xml", "out.xml", ".").exit_code == 1
    failure = ET.parse(project / "out.xml").getroot().find("testsuite/testcase/failure")
    assert "\\x1b[31mred\\x00" in failure.text
