#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    A Pester workflow to copy and adapt: checks that a run of X-ray stills processes as it should before anyone
    merges it. Point it at your own images and cell with Pester's container data:

        $run = New-PesterContainer -Path ./StillsRunChecks.Tests.ps1 -Data @{
            Images = '/data/run7/*.cbf'; UnitCell = 79.1, 79.1, 37.9, 90, 90, 90; SpaceGroup = 'P43212' }
        Invoke-Pester -Container $run -Output Detailed

    With no data it checks three simulated lysozyme stills, so it runs anywhere (build.ps1 -Test runs it so).
    Thresholds are parameters too: -MinHitRate, -MinIndexedRate, -MaxRmsd (pixels), -CellTolerance (fraction).
#>
param(
    [string] $Images,
    [double[]] $UnitCell = @(79.1, 79.1, 37.9, 90, 90, 90),
    [string] $SpaceGroup = 'P43212',
    [double] $MinHitRate = 0.9,
    [double] $MinIndexedRate = 0.9,
    [double] $MaxRmsd = 1.0,
    [double] $CellTolerance = 0.01
)

BeforeAll {
    if (-not (Get-Command Import-DiffractionImage -ErrorAction SilentlyContinue)) {
        Import-Module (Join-Path $PSScriptRoot '../module/XtalPS/XtalPS.psd1')
    }
    if (-not $Images) {
        # No data given: three simulated stills written as miniCBF files, read back like real ones.
        New-SimulatedImage -UnitCell $UnitCell -SpaceGroup $SpaceGroup -RandomOrientation -Seed 7 -Count 3 |
            Export-DiffractionImage -Path (Join-Path $TestDrive 'still_{0:D3}.cbf')
        $Images = Join-Path $TestDrive 'still_*.cbf'
    }
    $read = @(Import-DiffractionImage -Path $Images -ErrorVariable readErrors -ErrorAction SilentlyContinue)
    $spots = @($read | Find-BraggSpot)
    $hits = @($spots | Where-Object Count -GE 20)
    $lattices = @($hits | Get-Lattice -UnitCell $UnitCell -SpaceGroup $SpaceGroup -ErrorAction SilentlyContinue)
    $tables = @($lattices | Invoke-PeakIntegration -Method Summation)
    $mtz = Join-Path $TestDrive 'run_int.mtz'
    $tables | Export-ReflectionTable -Path $mtz -Force
}

Describe 'A run of stills' {
    It 'reads every image' {
        $readErrors | Should -BeNullOrEmpty
        $read.Count | Should -BeGreaterThan 0
    }

    It 'has enough hits (images with at least 20 spots)' {
        $hits.Count / $read.Count | Should -BeGreaterOrEqual $MinHitRate
    }

    It 'indexes enough of the hits with the known cell' {
        $lattices.Count / [math]::Max(1, $hits.Count) | Should -BeGreaterOrEqual $MinIndexedRate
    }

    It 'predicts the spots within the RMSD limit' {
        foreach ($lattice in $lattices) { $lattice.Rmsd | Should -BeLessThan $MaxRmsd -Because $lattice.ImageName }
    }

    It 'refines cells close to the expected one' {
        foreach ($lattice in $lattices) {
            [math]::Abs($lattice.UnitCell.A / $UnitCell[0] - 1) | Should -BeLessThan $CellTolerance -Because $lattice.ImageName
            [math]::Abs($lattice.UnitCell.C / $UnitCell[2] - 1) | Should -BeLessThan $CellTolerance -Because $lattice.ImageName
        }
    }

    It 'writes an unmerged MTZ that reads back with every reflection and image name' {
        $back = @(Import-ReflectionTable -LiteralPath $mtz)
        $back.Count | Should -Be $tables.Count
        ($back | ForEach-Object Count | Measure-Object -Sum).Sum | Should -Be ($tables | ForEach-Object Count | Measure-Object -Sum).Sum
        $back.ImageName | Should -Be $tables.ImageName
    }
}
