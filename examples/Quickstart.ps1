<#
.SYNOPSIS
    XtalPS quickstart: the pipeline on the example image bundled with the repository.
.DESCRIPTION
    Reads examples/data/lattice2d_demo.cbf (a 384x384 planar 2D-lattice image made with New-SimulatedImage and
    written with Export-DiffractionImage), shows what was read and its pixel statistics, and checks a simulated
    image against its known truth. Runs under pwsh (after Import-Module ./module/XtalPS) and under the xtalps
    script host:  dotnet run --project src/XtalPS.Host -c Release -- -File examples/Quickstart.ps1
#>
[CmdletBinding()]
param(
    [string[]] $Path = (Join-Path $PSScriptRoot 'data/lattice2d_demo.cbf')
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Command Import-DiffractionImage -ErrorAction SilentlyContinue)) {
    Import-Module (Join-Path $PSScriptRoot '../module/XtalPS/XtalPS.psd1')
}

Write-Host "== Images"
$images = @(Import-DiffractionImage -Path $Path)
$images | Format-Table

Write-Host "== Pixel statistics per panel"
$images | Measure-DiffractionImage | Format-Table

Write-Host "== A simulated image and its truth"
$sim = New-SimulatedImage -Width 256 -Height 256 -A 24.5,2 -B -3,23.5 -NoNoise -Seed 3
$truth = $sim.Truth
'{0} lattice points; origin {1}, a {2}, b {3}' -f $truth.Spots.Count, $truth.Origin, $truth.A, $truth.B
$truth.Spots | Sort-Object Intensity -Descending | Select-Object -First 5 | Format-Table
