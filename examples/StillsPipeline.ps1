<#
.SYNOPSIS
    The X-ray stills job on simulated lysozyme stills: spots, known-cell indexing, summation integration, MTZ.
.DESCRIPTION
    Makes three lysozyme stills (P 43 21 2, 79.1 79.1 37.9) in random orientations with New-SimulatedImage, then runs
    the DIALS-style pipeline on them: Find-BraggSpot (dispersion_extended), Get-Lattice with the known cell,
    Invoke-PeakIntegration -Method Summation, and Export-ReflectionTable to one unmerged MTZ. It checks each found
    orientation against the simulation's truth, and indexes the stills once more
    without the cell to show Measure-UnitCell's consensus cell and Bravais lattice.
        dotnet run --project src/XtalPS.Host -c Release -- -File examples/StillsPipeline.ps1
#>
[CmdletBinding()]
param(
    [int] $Stills = 3,
    [string] $OutputFolder = (Join-Path ([System.IO.Path]::GetTempPath()) 'xtalps-stills')
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Command Import-DiffractionImage -ErrorAction SilentlyContinue)) {
    Import-Module (Join-Path $PSScriptRoot '../module/XtalPS/XtalPS.psd1')
}
$cell = 79.1, 79.1, 37.9, 90, 90, 90

Write-Host '== Simulated stills'
$images = @(New-SimulatedImage -UnitCell $cell -SpaceGroup P43212 -RandomOrientation -Seed 101 -Count $Stills)
$images | Format-Table

Write-Host '== Spots'
$spots = @($images | Find-BraggSpot)
$spots | Format-Table

Write-Host '== Known-cell indexing'
$lattices = @($spots | Get-Lattice -UnitCell $cell -SpaceGroup P43212)
$lattices | Format-Table
for ($i = 0; $i -lt $lattices.Count; $i++) {
    $truth = $images[$i].Truth.ToLattice()
    '{0}: {1} of {2} spots indexed, RMSD {3:0.###} px, {4:0.####} deg from the true orientation' -f `
        $lattices[$i].ImageName, $lattices[$i].IndexedCount, $spots[$i].Count, $lattices[$i].Rmsd, $lattices[$i].MisorientationTo($truth)
}

Write-Host '== Summation integration (the DIALS stills default)'
$tables = @($lattices | Invoke-PeakIntegration -Method Summation)
$tables | Format-Table
$tables[0].Reflections | Sort-Object Intensity -Descending | Select-Object -First 6 | Format-Table

Write-Host '== Unmerged MTZ'
New-Item -ItemType Directory -Force -Path $OutputFolder | Out-Null
$mtz = Join-Path $OutputFolder 'lysozyme_stills_int.mtz'
$tables | Export-ReflectionTable -Path $mtz -Force
$back = @(Import-ReflectionTable -LiteralPath $mtz)
'{0}: {1} reflections in {2} batch(es)' -f $mtz, ($back | ForEach-Object Count | Measure-Object -Sum).Sum, $back.Count

Write-Host '== Without the cell: consensus cell and Bravais lattice'
$spots | Get-Lattice | Measure-UnitCell | Format-Table
