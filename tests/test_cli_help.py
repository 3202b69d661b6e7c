"""Every command explains itself: --help exits 0 and shows an example that names the command."""

import pytest
from click.testing import CliRunner

from pipeline.cli import main


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_an_example(command):
    shown = CliRunner().invoke(main, [command, "--help"])
    assert shown.exit_code == 0
    example = shown.output.split("Example:", 1)[1]
    assert f"modelmetrics {command}" in example


def test_an_unknown_command_is_a_usage_error_not_a_traceback():
    shown = CliRunner().invoke(main, ["frobnicate"])
    assert shown.exit_code == 2
    assert "No such command 'frobnicate'" in shown.output
