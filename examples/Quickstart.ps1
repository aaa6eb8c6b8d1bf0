<#
.SYNOPSIS
    XtalPS quickstart: the pipeline on the example image bundled with the repository.
.DESCRIPTION
    Reads examples/data/lattice2d_demo.cbf (a 384x384 image of a planar 2D lattice, made with New-SimulatedImage
    and written with Export-DiffractionImage), finds its Bragg spots, finds the lattice and compares it with the
    lattice the image was simulated from, fits a 2D Gaussian at every lattice point (IPLT's extract), integrates
    the peaks with the intercalated background (IPLT's integrate), writes the reflections to an MTZ file, and draws the image with its spots, lattice and fits as a PNG picture. Runs under pwsh (after Import-Module ./module/XtalPS) and
    under the xtalps script host:
        dotnet run --project src/XtalPS.Host -c Release -- -File examples/Quickstart.ps1
#>
[CmdletBinding()]
param(
    [string[]] $Path = (Join-Path $PSScriptRoot 'data/lattice2d_demo.cbf'),
    [string] $OutputFolder = (Join-Path ([System.IO.Path]::GetTempPath()) 'xtalps-quickstart')
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Command Import-DiffractionImage -ErrorAction SilentlyContinue)) {
    Import-Module (Join-Path $PSScriptRoot '../module/XtalPS/XtalPS.psd1')
}

Write-Host '== Images'
$images = @(Import-DiffractionImage -Path $Path)
$images | Format-Table

Write-Host '== Pixel statistics per panel'
$images | Measure-DiffractionImage | Format-Table

Write-Host '== Bragg spots (DIALS dispersion_extended)'
$spots = @($images | Find-BraggSpot)
$spots | Format-Table
$spots[0].Spots | Sort-Object Intensity -Descending | Select-Object -First 5 | Format-Table

Write-Host '== Planar lattice'
$lattice = $spots | Get-Lattice -Planar
$lattice | Format-Table

# The bundled image was simulated with origin (190.4, 193.8), a = (27.3, 4.1), b = (-6.2, 25.9).
$trueOrigin = [double[]](190.4, 193.8)
'Origin found {0}; simulated ({1}, {2}); {3} of {4} spots indexed, RMSD {5:0.###} px' -f `
    $lattice.Origin, $trueOrigin[0], $trueOrigin[1], $lattice.IndexedCount, $spots[0].Count, $lattice.Rmsd

Write-Host '== Gaussian fits at every lattice point (Invoke-LatticeExtract)'
$extracted = $lattice | Invoke-LatticeExtract
$extracted | Format-Table
'Refined lattice: {0}' -f $extracted.RefinedLattice.Summary

Write-Host '== Peak integration with the intercalated background (Invoke-PeakIntegration)'
$integrated = $extracted | Invoke-PeakIntegration
$integrated.Reflections | Sort-Object Intensity -Descending | Select-Object -First 8 | Format-Table

Write-Host '== MTZ out, and back in'
New-Item -ItemType Directory -Force -Path $OutputFolder | Out-Null
$mtz = Join-Path $OutputFolder 'lattice2d_demo_int.mtz'
$integrated | Export-ReflectionTable -Path $mtz -Force
$back = Import-ReflectionTable -LiteralPath $mtz
'{0}: {1} reflections written and read back' -f $mtz, ($back | ForEach-Object Count | Measure-Object -Sum).Sum

Write-Host '== A picture: the image with its spots, lattice and fitted peaks (Export-DiffractionPicture)'
if ($PSVersionTable.PSEdition -eq 'Core') {
    $picture = Join-Path $OutputFolder 'lattice2d_demo.png'
    $extracted | Export-DiffractionPicture -Path $picture -Show MillerIndices -Force
    'Picture written to {0}' -f $picture
} else {
    'Pictures need PowerShell 7; run this script in pwsh to draw one.'
}
