<#
.SYNOPSIS
    Runs Pester 5 suites with the Pester package that tests/pester/restore brings from NuGet, and counts them.
.DESCRIPTION
    build.ps1 -Test calls this for tests/pester and examples/*.Tests.ps1. It restores the small project in
    tests/pester/restore (a PackageDownload of Pester), imports tools/Pester.psd1 from the NuGet package folder,
    runs Invoke-Pester and returns one object with Passed, Failed, Skipped and the Pester run itself.
    Failed counts failed tests plus blocks and files that failed outside any test (a broken BeforeAll, a file
    that does not parse), each as one failure, so nothing that went wrong is lost from the count.
    Works the same under pwsh and under the XtalPS.Host script host.
.PARAMETER Path
    Suite files or folders (Pester looks for *.Tests.ps1 in folders).
.PARAMETER ResultFile
    Where to write the NUnit XML report (optional).
.PARAMETER Output
    Pester's console verbosity: None, Normal, Detailed, Diagnostic.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string[]] $Path,
    [string] $ResultFile,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')] [string] $Output = 'Normal'
)

function Get-XtalPSPesterModule {
    # The version is the one the restore project pins; the package folder is the one NuGet restored into.
    $project = Join-Path $PSScriptRoot 'restore/Pester.Restore.csproj'
    $version = ([xml](Get-Content -Raw -LiteralPath $project)).Project.ItemGroup.PackageDownload.Version.Trim('[', ']')
    & dotnet restore $project --nologo -v q | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Restoring Pester $version from NuGet failed (dotnet restore $project)." }
    $assets = Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'restore/obj/project.assets.json') | ConvertFrom-Json
    foreach ($folder in $assets.packageFolders.PSObject.Properties.Name) {
        $psd1 = Join-Path $folder "pester/$version/tools/Pester.psd1"
        if (Test-Path -LiteralPath $psd1) { return $psd1 }
    }
    throw "Pester $version was restored but tools/Pester.psd1 is not in the NuGet package folders."
}

# Suites test non-terminating errors: they run with PowerShell's default preference, whatever the caller set.
$ErrorActionPreference = 'Continue'
Import-Module (Get-XtalPSPesterModule) -Force -ErrorAction Stop

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Output
if ($ResultFile) {
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    $configuration.TestResult.OutputPath = $ResultFile
}
$run = Invoke-Pester -Configuration $configuration

[pscustomobject]@{
    Passed  = $run.PassedCount
    Failed  = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount
    Skipped = $run.SkippedCount
    Run     = $run
}
