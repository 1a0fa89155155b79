<#
.SYNOPSIS
  Installs the OsirisCare workstation agent as a Windows service (run as Administrator).

.DESCRIPTION
  Copies osiris-agent.exe to C:\Program Files\OsirisCare, writes nothing else, and registers the
  service "OsirisCareAgent" (automatic start, LocalSystem, restart on failure). The config file
  is expected at C:\ProgramData\OsirisCare\config.json; the enrollment token file it names must
  be readable by SYSTEM only.

  A Node single-executable application does not speak the Service Control Manager protocol by
  itself, so the service runs it through the SCM-aware wrapper given with -Wrapper (for example
  WinSW or NSSM, deployed by the MSP's RMM). Without -Wrapper, New-Service registers the exe
  directly, which the SCM stops after its 30 s start timeout: use that only for testing.
#>
param(
  [Parameter(Mandatory = $true)][string]$Executable,
  [string]$Wrapper,
  [string]$InstallDir = "$env:ProgramFiles\OsirisCare",
  [string]$Config = "$env:ProgramData\OsirisCare\config.json"
)
$ErrorActionPreference = 'Stop'
$name = 'OsirisCareAgent'

New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
New-Item -ItemType Directory -Force -Path (Split-Path $Config) | Out-Null
# Data directory: SYSTEM and Administrators only.
icacls (Split-Path $Config) /inheritance:r /grant:r 'SYSTEM:(OI)(CI)F' 'Administrators:(OI)(CI)F' | Out-Null
Copy-Item -Force $Executable (Join-Path $InstallDir 'osiris-agent.exe')

if (Get-Service -Name $name -ErrorAction SilentlyContinue) {
  Stop-Service -Name $name -ErrorAction SilentlyContinue
  sc.exe delete $name | Out-Null
  Start-Sleep -Seconds 2
}

$agent = Join-Path $InstallDir 'osiris-agent.exe'
if ($Wrapper) {
  $binary = "`"$Wrapper`" `"$agent`" --config `"$Config`""
} else {
  $binary = "`"$agent`" --config `"$Config`""
}
New-Service -Name $name -DisplayName 'OsirisCare Compliance Agent' -BinaryPathName $binary `
  -StartupType Automatic -Description 'Checks this workstation and reports to the clinic appliance.' | Out-Null
# Restart after 10 s, 10 s and 60 s; reset the failure count after a day.
sc.exe failure $name reset= 86400 actions= restart/10000/restart/10000/restart/60000 | Out-Null
Start-Service -Name $name
Get-Service -Name $name
