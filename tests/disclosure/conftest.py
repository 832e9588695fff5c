import pytest

_OPENCC_RATES = pytest.StashKey[dict]()


@pytest.fixture
def opencc_report(request) -> dict:
    """Pass rates per OpenCC configuration, printed in the terminal summary of every run."""
    return request.config.stash.setdefault(_OPENCC_RATES, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    rates = config.stash.get(_OPENCC_RATES, None)
    if not rates:
        return
    terminalreporter.section("OpenCC pass rates (testcases.json and golden us_constitution)")
    for config_name, line in sorted(rates.items()):
        terminalreporter.write_line(f"{config_name}: {line}")
