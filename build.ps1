<#
.SYNOPSIS
    Builds, tests, documents and packages XtalPS: a thin wrapper over dotnet.
.DESCRIPTION
    Runs under pwsh and under the xtalps script host (CI runs it through the host):
        dotnet run --project src/XtalPS.Host -c Release -- -File build.ps1 -Test
    -Test prints per-suite counts (with skipped tests), the number skipped when any were, and ends with one plain
    line "N passed, N failed".
.PARAMETER Test
    Run the xunit suites (tests/XtalPS.Core.Tests, tests/XtalPS.Module.Tests), then the Pester 5 suites
    (tests/pester/*.Tests.ps1 and the user workflow examples/*.Tests.ps1) with the real Pester from NuGet.
.PARAMETER Docs
    Compile docs/*.md into module/XtalPS/en-US/XtalPS.dll-Help.xml (PlatyPS when installed, else our own compiler).
.PARAMETER Package
    Stage the module (manifest, formats, help, binaries) under out/XtalPS and, when PowerShellGet is available,
    make a PowerShell Gallery package (.nupkg) in out/.
.PARAMETER Benchmark
    Run the BenchmarkDotNet suite in tests/XtalPS.Benchmarks (Release); -Filter narrows it.
#>
[CmdletBinding()]
param(
    [switch] $Test,
    [switch] $Docs,
    [switch] $Package,
    [switch] $Benchmark,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    [string] $Filter = '*'
)
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$module = Join-Path $root 'module/XtalPS'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

# The module (and the Core library under it) is built first in every mode; it fills module/XtalPS/bin.
Invoke-Dotnet build (Join-Path $root 'src/XtalPS/XtalPS.csproj') -c $Configuration --nologo -v q
# The campaign cmdlets' PowerShell 7 assembly (module/XtalPS/bin/campaigns).
Invoke-Dotnet build (Join-Path $root 'src/XtalPS.Campaigns/XtalPS.Campaigns.csproj') -c $Configuration --nologo -v q

if ($Docs) {
    $help = Join-Path $module 'en-US/XtalPS.dll-Help.xml'
    if (Get-Module -ListAvailable platyPS) {
        Import-Module platyPS
        New-ExternalHelp -Path (Join-Path $root 'docs') -OutputPath (Join-Path $module 'en-US') -Force | Out-Null
    } elseif ('XtalPS.Host.Help.HelpCompiler' -as [type]) {
        # Running inside the xtalps host: its compiler is loaded already.
        [XtalPS.Host.Help.HelpCompiler]::Compile((Join-Path $root 'docs'), $help) | Out-Null
    } else {
        Invoke-Dotnet run --project (Join-Path $root 'src/XtalPS.Host') -c $Configuration -- -CompileHelp (Join-Path $root 'docs') $help
    }
    Write-Host "Help written to $help"
}

if ($Test) {
    $results = Join-Path $root 'TestResults'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    $projects = 'tests/XtalPS.Core.Tests', 'tests/XtalPS.Module.Tests'
    $passed = 0; $failed = 0; $skipped = 0; $broken = @()
    foreach ($project in $projects) {
        $name = Split-Path $project -Leaf
        & dotnet test (Join-Path $root $project) -c $Configuration --nologo `
            --logger "trx;LogFileName=$name.trx" --results-directory $results
        $code = $LASTEXITCODE
        $trx = Join-Path $results "$name.trx"
        if (Test-Path $trx) {
            $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
            $passed += [int]$counters.passed
            $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
            # xunit's TRX logger leaves notExecuted at 0 for skipped tests; they are the ones counted but not executed.
            $notRun = [Math]::Max([int]$counters.notExecuted, [int]$counters.total - [int]$counters.executed)
            $skipped += $notRun
            Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $name, $counters.passed, $counters.failed, $notRun)
        } else {
            $broken += $name
        }
        if ($code -ne 0 -and -not (Test-Path $trx)) { $failed += 1 }
    }
    # The Pester suites: workflows through the module as a user scripts them, run by the real Pester 5.
    $pesterPaths = @(Join-Path $root 'tests/pester') + @(Get-ChildItem -Path (Join-Path $root 'examples') -Filter '*.Tests.ps1' | ForEach-Object FullName)
    try {
        $pester = & (Join-Path $root 'tests/pester/Invoke-XtalPSPester.ps1') -Path $pesterPaths -ResultFile (Join-Path $results 'pester.xml')
        $passed += $pester.Passed; $failed += $pester.Failed; $skipped += $pester.Skipped
        Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $pester.Passed, $pester.Failed, $pester.Skipped)
    } catch {
        $broken += "Pester ($_)"
    }
    if ($broken) { Write-Host "No test results from: $($broken -join ', ') (build or run failure)." }
    # Skipped tests are named in the suites' output and counted here; the closing line stays the plain
    # "N passed, N failed" that CI reads.
    if ($skipped -gt 0) { Write-Host "$skipped skipped (each says why above)" }
    Write-Host ("{0} passed, {1} failed" -f $passed, $failed)
    if ($failed -gt 0 -or $broken) { exit 1 }
}

if ($Benchmark) {
    Invoke-Dotnet run --project (Join-Path $root 'tests/XtalPS.Benchmarks') -c Release -- --filter $Filter
}

if ($Package) {
    $out = Join-Path $root 'out'
    $stage = Join-Path $out 'XtalPS'
    if (Test-Path $stage) { Remove-Item -Recurse -Force $stage }
    New-Item -ItemType Directory -Force -Path $stage | Out-Null
    Copy-Item -Recurse -Path (Join-Path $module '*') -Destination $stage
    Write-Host "Module staged in $stage"
    if (Get-Command Publish-Module -ErrorAction SilentlyContinue) {
        $repo = 'XtalPSLocal'
        if (-not (Get-PSRepository -Name $repo -ErrorAction SilentlyContinue)) {
            Register-PSRepository -Name $repo -SourceLocation $out -PublishLocation $out -InstallationPolicy Trusted
        }
        Publish-Module -Path $stage -Repository $repo
        Write-Host "Gallery package written to $out"
    } else {
        Write-Host 'PowerShellGet is not available here: the staged folder is the package content.'
    }
}
