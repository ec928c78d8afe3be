; Inno Setup 6.3+ script for the Windows installer. build.ps1 runs it as
;   ISCC /DAppName=Photoapp /DAppVersion=X.Y.Z /DSourceDir=<PyInstaller folder> /DOutputDir=<dir> photoapp.iss
; so the name and version come from photoapp/__init__.py like everywhere else.
;
; Installs per user without admin rights by default (%LOCALAPPDATA%\Programs\Photoapp);
; the first page offers an install for all users. Start-menu entry, optional desktop
; icon and optional PATH entry for the `photoapp` command. Uninstalling keeps the user's
; libraries and downloaded models (%LOCALAPPDATA%\Photoapp).

#ifndef AppName
  #define AppName "Photoapp"
#endif
#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z (build.ps1 does this)
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\pyinstaller-windows\dist\photoapp"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
; The AppId identifies the product to Windows across versions: never change it.
AppId={{757BD0CF-B08A-4B62-B92D-D153FF15D9E6}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=photoapp-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\photoapp.ico
UninstallDisplayIcon={app}\photoappw.exe
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; The optional PATH entry: tell running programs (Explorer, new terminals) about it.
ChangesEnvironment=yes
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the photoapp command to PATH (for the command line)"; GroupDescription: "Command line:"; Flags: unchecked

[Files]
; The whole PyInstaller folder: photoapp.exe (console, the command line), photoappw.exe
; (no console, what the shortcuts start) and _internal\ (Python, Qt, torch, the toy model).
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundled libraries wholesale: no stale DLLs from an older version.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\photoappw.exe"; WorkingDir: "{userdocs}"; Comment: "Organise and search your photos"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\photoappw.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Registry]
; "Open with" for the photo and video formats Photoapp reads (issue 24): a ProgID that opens
; the viewer on the file, listed under each extension's OpenWithProgids (the user's default
; app is left as it is); removed on uninstall.
Root: HKA; Subkey: "Software\Classes\Photoapp.Photo"; ValueType: string; ValueName: ""; ValueData: "Photo (Photoapp)"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Photoapp.Photo\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\photoappw.exe,0"
Root: HKA; Subkey: "Software\Classes\Photoapp.Photo\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\photoappw.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\photoappw.exe\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\photoappw.exe"" ""%1"""; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.jpg\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.jpeg\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.png\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.gif\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.webp\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.tif\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.tiff\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.bmp\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.heic\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.heif\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.avif\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.dng\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.cr2\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.cr3\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.nef\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.arw\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.raf\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.orf\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.rw2\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.mp4\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.mov\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.m4v\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.mkv\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.webm\OpenWithProgids"; ValueType: string; ValueName: "Photoapp.Photo"; ValueData: ""; Flags: uninsdeletevalue

[Run]
Filename: "{app}\photoappw.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// The PATH entry lives in the user's environment for a per-user install and in the
// machine's for an all-users install; uninstalling removes exactly the entry we added.
function EnvRoot: Integer;
begin
  if IsAdminInstallMode then
    Result := HKEY_LOCAL_MACHINE
  else
    Result := HKEY_CURRENT_USER;
end;

function EnvKey: String;
begin
  if IsAdminInstallMode then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := 'Environment';
end;

function CurrentPath: String;
begin
  if not RegQueryStringValue(EnvRoot, EnvKey, 'Path', Result) then
    Result := '';
end;

function PathHasDir(Paths, Dir: String): Boolean;
begin
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') > 0;
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Paths, Dir: String;
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
  begin
    Paths := CurrentPath;
    Dir := ExpandConstant('{app}');
    if not PathHasDir(Paths, Dir) then
    begin
      if (Paths <> '') and (Copy(Paths, Length(Paths), 1) <> ';') then
        Paths := Paths + ';';
      RegWriteExpandStringValue(EnvRoot, EnvKey, 'Path', Paths + Dir);
    end;
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Paths, Dir: String;
  P: Integer;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    Dir := ExpandConstant('{app}');
    Paths := ';' + CurrentPath + ';';
    P := Pos(';' + Uppercase(Dir) + ';', Uppercase(Paths));
    if P > 0 then
    begin
      // Paths is ";a;DIR;b;": drop ";DIR", then the outer semicolons.
      Delete(Paths, P, Length(Dir) + 1);
      RegWriteExpandStringValue(EnvRoot, EnvKey, 'Path', Copy(Paths, 2, Length(Paths) - 2));
    end;
  end;
end;
