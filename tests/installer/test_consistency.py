"""The installer's pieces agree with each other and with the package: names, version, languages, paths.

The bundle itself is built and smoke-tested by ``installer/build.py`` in ``.ci/run`` (minutes, not a unit test);
these checks are fast and catch the usual drift: a renamed executable, a language added to the app but not to the
installer, an artifact path that no longer matches the setup file's name, a new kind of migration file left out.
"""

from __future__ import annotations

import gettext
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kawaoffice import APP_NAME, i18n, winmutex

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
ISS = INSTALLER / "kawaoffice.iss"
SPEC = INSTALLER / "kawaoffice.spec"
WORKFLOW = ROOT / ".github" / "workflows" / "windows-installer.yml"
CI_RUN = ROOT / ".ci" / "run"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"installer_{name}", INSTALLER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cfg = _load("bundle_config")


def iss_text() -> str:
    return ISS.read_bytes().decode("utf-8-sig")


def iss_setting(key: str) -> str:
    match = re.search(rf"^{key}=(.*)$", iss_text(), flags=re.MULTILINE)
    assert match, f"{key} is missing from kawaoffice.iss"
    return match.group(1).strip()


def iss_define(name: str) -> str:
    match = re.search(rf'^\s*#define {name} "([^"]*)"', iss_text(), flags=re.MULTILINE)
    assert match, f"#define {name} is missing from kawaoffice.iss"
    return match.group(1)


def iss_section(name: str) -> list[str]:
    text = iss_text()
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", text, flags=re.MULTILINE | re.DOTALL)
    assert match, f"[{name}] is missing from kawaoffice.iss"
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith(";")]


# --- Inno Setup script ------------------------------------------------------------------------------------------------


def test_iss_is_utf8_with_bom_so_inno_setup_reads_the_japanese_messages() -> None:
    assert ISS.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "データ" in iss_text()


def test_iss_names_match_the_bundle_and_the_app() -> None:
    assert iss_define("AppName") == APP_NAME == cfg.APP_NAME
    assert iss_define("AppExeName") == f"{cfg.GUI_NAME}.exe"
    assert iss_define("CliExeName") == f"{cfg.CLI_NAME}.exe"
    assert iss_define("SourceDir") == f"dist\\{cfg.BUNDLE_NAME}"
    assert iss_setting("AppId") == cfg.APP_ID
    assert iss_setting("OutputBaseFilename") == cfg.SETUP_BASENAME.replace("{version}", "{#AppVersion}")
    assert (INSTALLER / iss_setting("SetupIconFile")).is_file()
    assert iss_setting("SetupIconFile") == cfg.ICON_FILE


def test_iss_installs_per_user_without_admin_rights_and_upgrades_in_place() -> None:
    assert iss_setting("PrivilegesRequired") == "lowest"
    assert iss_setting("PrivilegesRequiredOverridesAllowed") == "dialog"
    # {autopf} is %LOCALAPPDATA%\Programs when installing without administrator rights
    assert iss_setting("DefaultDirName") == r"{autopf}\{#AppName}"
    assert iss_setting("UsePreviousAppDir") == "yes"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", iss_setting("AppId"))
    assert "AppVersion={#AppVersion}" in iss_text()


def test_iss_refuses_to_run_while_the_app_holds_its_mutex() -> None:
    assert cfg.APP_MUTEX == winmutex.MUTEX_NAME == iss_define("AppMutexName")
    names = [
        name.replace("{#AppMutexName}", iss_define("AppMutexName"))
        for name in iss_setting("AppMutex").split(",")
    ]
    assert names == list(winmutex.mutex_names())


def test_hold_app_mutex_is_a_no_op_off_windows() -> None:
    if sys.platform == "win32":
        assert winmutex.hold_app_mutex() is True
    else:
        assert winmutex.hold_app_mutex() is False


def test_iss_languages_are_the_apps_languages_and_every_custom_message_has_both() -> None:
    languages = [re.match(r'Name: "(\w+)"', line).group(1) for line in iss_section("Languages")]  # type: ignore[union-attr]
    assert tuple(languages) == cfg.LANGUAGES == i18n.SUPPORTED_LANGUAGES
    assert 'MessagesFile: "compiler:Languages\\Japanese.isl"' in iss_section("Languages")[0]
    keys: dict[str, set[str]] = {}
    for line in iss_section("CustomMessages"):
        language, key = line.split("=", 1)[0].split(".", 1)
        keys.setdefault(key, set()).add(language)
    assert keys, "no custom messages"
    assert all(found == set(cfg.LANGUAGES) for found in keys.values()), keys


def test_iss_uninstall_asks_before_removing_the_user_data_folder() -> None:
    text = iss_text()
    assert "CurUninstallStepChanged" in text and "usPostUninstall" in text
    # the folder removed is platformdirs' user data folder on Windows, which holds the logs and settings too
    assert r"ExpandConstant('{localappdata}\{#AppName}')" in text
    assert "MB_DEFBUTTON2" in text  # "No" (keep the data) is the default answer
    assert "{param:REMOVEDATA|no}" in text  # a silent uninstall keeps the data unless asked
    assert re.search(r"Name: \"\{autodesktop\}.*Tasks: desktopicon", text)
    assert re.search(r"Name: \"desktopicon\".*Flags: unchecked", text)
    assert re.search(r"Name: \"\{autoprograms\}", text)


# --- PyInstaller spec and build script -------------------------------------------------------------------------------


def test_spec_compiles_and_names_both_programs_from_the_shared_config() -> None:
    source = SPEC.read_text(encoding="utf-8")
    compile(source, str(SPEC), "exec")
    assert "name=cfg.GUI_NAME" in source and "console=False" in source
    assert "name=cfg.CLI_NAME" in source and "console=True" in source
    assert source.count("EXE(") == 2 and source.count("COLLECT(") == 1
    assert 'importlib.metadata.version("kawaoffice")' in source


def test_entry_points_run_the_installed_console_and_gui_scripts() -> None:
    project = cfg.pyproject()["project"]
    assert project["gui-scripts"] == {cfg.GUI_NAME: "kawaoffice.launch:main"}
    assert project["scripts"] == {cfg.CLI_NAME: "kawaoffice.cli:main"}
    assert "from kawaoffice.launch import main" in (INSTALLER / "entry_gui.py").read_text(encoding="utf-8")
    assert "from kawaoffice.cli import main" in (INSTALLER / "entry_cli.py").read_text(encoding="utf-8")


def test_installer_extra_brings_pyinstaller() -> None:
    extras = cfg.pyproject()["project"]["optional-dependencies"]
    assert any(req.replace(" ", "").startswith("pyinstaller>=6") for req in extras["installer"])


def test_storage_data_covers_the_package_data_of_the_storage_package() -> None:
    package_data = cfg.pyproject()["tool"]["setuptools"]["package-data"]["kawaoffice.storage"]
    assert set(package_data) <= set(cfg.STORAGE_DATA)
    storage = ROOT / "kawaoffice" / "storage"
    shipped = {p for pattern in cfg.STORAGE_DATA for p in storage.glob(pattern)}
    migrations = set((storage / "migrations" / "versions").glob("*.py"))
    assert migrations and migrations <= shipped


def test_required_source_files_exist() -> None:
    for rel in cfg.REQUIRED_FILES:
        if rel.startswith(("resources/", "kawaoffice/")):
            assert (ROOT / rel).is_file(), rel
    licences = [p for p in (ROOT / "resources" / "fonts").iterdir() if "license" in p.name.lower()]
    assert licences, "the fonts' licence must ship with them"
    assert all(f"resources/fonts/{p.name}" in cfg.REQUIRED_FILES for p in licences)


def test_compiled_catalogs_translate_like_the_app(tmp_path: Path) -> None:
    mos = cfg.compile_catalogs(ROOT / "translations", tmp_path)
    assert set(mos) == set(cfg.LANGUAGES)
    with mos["ja"].open("rb") as f:
        ja = gettext.GNUTranslations(f)
    assert ja.gettext("Cannot open the database") != "Cannot open the database"
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja.gettext("Cannot open the database"))


@pytest.mark.parametrize(
    ("version", "numbers"),
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("1.2", (1, 2, 0, 0)),
        ("2.0.1rc1", (2, 0, 1, 0)),
        ("1.4.2.dev3", (1, 4, 2, 0)),
    ],
)
def test_numeric_version_for_the_windows_version_resource(version: str, numbers: tuple[int, ...]) -> None:
    assert cfg.numeric_version(version) == numbers


def test_version_resource_carries_the_package_version() -> None:
    # PyInstaller's version-resource module needs pefile, which PyInstaller installs on Windows only
    pytest.importorskip("PyInstaller.utils.win32.versioninfo", reason="pefile is installed on Windows only")
    resource = cfg.version_resource("1.2.3")
    assert "1.2.3" in str(resource)
    assert resource.ffi.fileVersionMS == (1 << 16) | 2


def test_build_script_help_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "build.py"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "--bundle-only" in result.stdout and "--smoke" in result.stdout


# --- Windows workflow, CI and README ---------------------------------------------------------------------------------


def test_workflow_builds_on_windows_with_the_supported_python_and_keeps_the_setup_exe() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert re.search(r"runs-on:\s*windows-latest", text)
    python = re.search(r'python-version:\s*"([\d.]+)"', text)
    assert python and python.group(1) == cfg.pyproject()["project"]["requires-python"].removeprefix(">=")
    assert 'pip install -e ".[installer]"' in text
    assert "python installer/build.py" in text
    artifact = "installer/Output/" + cfg.SETUP_BASENAME.format(version="*") + ".exe"
    assert f"path: {artifact}" in text
    assert "if-no-files-found: error" in text
    assert iss_setting("OutputDir") == "Output"


def test_ci_builds_and_smoke_tests_the_bundle() -> None:
    text = CI_RUN.read_text(encoding="utf-8")
    assert "installer/build.py --bundle-only" in text
    assert ".[installer]" in text


def test_readme_tells_how_to_install_and_where_the_data_lives() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Installing on Windows" in text
    section = text.split("## Installing on Windows", 1)[1].split("\n## ", 1)[0]
    assert cfg.SETUP_BASENAME.format(version="") in section
    assert r"%LOCALAPPDATA%\Programs\KawaOffice" in section
    assert r"%LOCALAPPDATA%\KawaOffice" in section
    assert "installer/build.py" in section


def test_spec_bundles_the_modules_the_app_imports_by_name() -> None:
    """Tabs and the storage package's parts are imported by name when first needed (importlib), which PyInstaller
    cannot follow: the spec must collect every KawaOffice module (the smoke test opens the main window)."""
    spec = (ROOT / "installer" / "kawaoffice.spec").read_text(encoding="utf-8")
    assert 'collect_submodules("kawaoffice"' in spec
    by_name = [
        p for p in (ROOT / "kawaoffice").rglob("*.py") if "import_module(" in p.read_text(encoding="utf-8")
    ]
    assert by_name, "no import by name left: the collect_submodules line may go"
