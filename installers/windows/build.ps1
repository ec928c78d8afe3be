# Build the Windows release: the PyInstaller one-folder app, a portable .zip of it, and
# the Inno Setup installer (Start-menu entry, optional desktop icon and PATH entry).
#
# Once, in a PowerShell in the repository (Python 3.11+ x64, Inno Setup 6.3+ installed):
#   py -3.11 -m venv .venv
#   .venv\Scripts\python -m pip install torch          # PyPI's Windows torch is the CPU build
#   .venv\Scripts\python -m pip install -e ".[build]"
# Then:
#   powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1
#
# Output in dist\: photoapp-<version>-windows-x64-setup.exe and photoapp-<version>-windows-x64.zip.
param(
    [string]$Python = "",
    [string]$Iscc = ""
)
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Root
if (-not $Python) { $Python = Join-Path $Root ".venv\Scripts\python.exe" }

function Invoke-Checked {
    # Native programs do not throw on failure: stop on a non-zero exit status.
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') exited with $LASTEXITCODE" }
}

& $Python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('PyInstaller') is None)"
if ($LASTEXITCODE -ne 0) { throw "PyInstaller is missing: $Python -m pip install -e "".[build]""" }
$meta = & $Python -c "import photoapp; print(photoapp.APP_NAME); print(photoapp.__version__)"
$AppName = $meta[0].Trim()
$Version = $meta[1].Trim()
$Work = Join-Path $Root "build\pyinstaller-windows"
$Dist = Join-Path $Root "dist"
$Bundle = Join-Path $Work "dist\photoapp"
New-Item -ItemType Directory -Force -Path $Dist | Out-Null

$watch = [Diagnostics.Stopwatch]::StartNew()
Invoke-Checked $Python @("-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
    "--distpath", (Join-Path $Work "dist"), "--workpath", (Join-Path $Work "work"), "installers\photoapp.spec")

# Smoke test of the folder before packaging it: version, and the demo on the tiny model.
$exe = Join-Path $Bundle "photoapp.exe"
$out = (& $exe --version | Out-String).Trim()
if ($out -ne "photoapp $Version") { throw "photoapp.exe --version printed '$out'" }
$tmp = Join-Path ([IO.Path]::GetTempPath()) ("photoapp-smoke-" + [Guid]::NewGuid())
Invoke-Checked $exe @("--library", "$tmp\lib", "--model", "toy", "demo", "$tmp\photos", "--no-gui", "--per-class", "1")
$env:QT_QPA_PLATFORM = "offscreen"
Invoke-Checked $exe @("--library", "$tmp\lib", "--model", "toy", "--quit-after", "4")
Remove-Item Env:QT_QPA_PLATFORM
Remove-Item -Recurse -Force $tmp

$zip = Join-Path $Dist "photoapp-$Version-windows-x64.zip"
if (Test-Path $zip) { Remove-Item $zip }
Compress-Archive -Path $Bundle -DestinationPath $zip

if (-not $Iscc) {
    $found = Get-Command iscc.exe -ErrorAction SilentlyContinue
    $Iscc = if ($found) { $found.Source } else { Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
}
if (-not (Test-Path $Iscc)) { throw "Inno Setup's ISCC.exe not found: install Inno Setup 6.3+ or pass -Iscc PATH" }
Invoke-Checked $Iscc @("/Q", "/DAppName=$AppName", "/DAppVersion=$Version", "/DSourceDir=$Bundle",
    "/DOutputDir=$Dist", (Join-Path $PSScriptRoot "photoapp.iss"))

$watch.Stop()
$setup = Join-Path $Dist "photoapp-$Version-windows-x64-setup.exe"
"{0} {1} built in {2:N0} s" -f $AppName, $Version, $watch.Elapsed.TotalSeconds
"  installer: {0} ({1:N0} MB)" -f $setup, ((Get-Item $setup).Length / 1MB)
"  portable:  {0} ({1:N0} MB)" -f $zip, ((Get-Item $zip).Length / 1MB)
