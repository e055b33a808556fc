; Inno Setup 6 script for KawaOffice: a per-user installer that office staff can run without administrator rights.
;
; Built by installer/build.py after the PyInstaller bundle passed its smoke test:
;     ISCC.exe /DAppVersion=0.1.0 /DSourceDir=...\installer\dist\KawaOffice /O...\installer\Output installer\kawaoffice.iss
; AppVersion is required (build.py takes it from pyproject.toml); SourceDir defaults to dist\KawaOffice here.
;
; - Installs into %LOCALAPPDATA%\Programs\KawaOffice ({autopf} without administrator rights); a dialog lets someone
;   with administrator rights install for all users instead (Program Files).
; - Start menu shortcut, optional desktop shortcut, Japanese and English wizard (chosen from the Windows UI language).
; - Upgrade in place: the same AppId finds the previous installation and its folder; the old program files are
;   replaced, the user's data (%LOCALAPPDATA%\KawaOffice: database, backups, logs, settings) is never touched.
; - Refuses to install or uninstall while KawaOffice is running (AppMutex: the app holds this named mutex).
; - Uninstall keeps the user's data unless the user answers "Yes" to removing it (or passes /REMOVEDATA=yes when
;   uninstalling silently).

#define AppName "KawaOffice"
#define AppExeName "kawaoffice.exe"
#define CliExeName "kawaoffice-cli.exe"
#define AppMutexName "KawaOfficeRunningMutex"
#define AppPublisher "KawaOffice developers"
#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z (installer/build.py does)
#endif
#ifndef SourceDir
  #define SourceDir "dist\KawaOffice"
#endif

[Setup]
; Never change the AppId: Windows knows the installation by it, so a new version upgrades the old one in place.
AppId={{6F0C2D3E-8B1A-4F5C-9E27-4B8D1A7C3E55}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
AppMutex={#AppMutexName},Global\{#AppMutexName}
SetupMutex={#AppMutexName}Setup
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=Output
OutputBaseFilename=KawaOffice-Setup-{#AppVersion}
SetupIconFile=kawaoffice.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage
CloseApplications=no

[Languages]
Name: "ja"; MessagesFile: "compiler:Languages\Japanese.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
ja.RemoveDataQuestion=KawaOffice のデータ（ローカルデータベース、バックアップ、ログ、設定）も削除しますか?%n%n%1%n%n「いいえ」を選ぶとデータは残り、再インストールするとそのまま使えます。共有データベース（PostgreSQL）のデータはサーバー上にあり、削除されません。
en.RemoveDataQuestion=Also remove your KawaOffice data (local database, backups, logs and settings)?%n%n%1%n%nChoose "No" to keep it; a new installation will use it again. Data in a shared (PostgreSQL) database stays on the server and is not removed.
ja.CliDescription=KawaOffice コマンドライン
en.CliDescription=KawaOffice command line

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle, so no module of the previous version is left behind. User data is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// The user's data folder: platformdirs.user_data_dir("KawaOffice", appauthor=False) on Windows, which also holds
// the logs (Logs\) and settings.json (kawaoffice/paths.py).
function UserDataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\{#AppName}');
end;

function ShouldRemoveData(): Boolean;
begin
  if UninstallSilent() then
    Result := CompareText(ExpandConstant('{param:REMOVEDATA|no}'), 'yes') = 0
  else
    Result := MsgBox(FmtMessage(CustomMessage('RemoveDataQuestion'), [UserDataDir()]),
                     mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(UserDataDir()) then
  begin
    if ShouldRemoveData() then
    begin
      if not DelTree(UserDataDir(), True, True, True) then
        Log('Could not remove all of ' + UserDataDir());
    end
    else
      Log('User data kept in ' + UserDataDir());
  end;
end;
