# Runs before the XtalPS cmdlets load (ScriptsToProcess): loads the XtalPS.Core build made for this edition of
# PowerShell — bin/core (net10.0: NeXus/HDF5, the modern JIT paths) on PowerShell 7, bin/desktop (netstandard2.0)
# on Windows PowerShell 5.1 — so that bin/XtalPS.dll binds to it and [XtalPS.…] type names work at once.
$xtalpsCore = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'XtalPS.Core' }
if (-not $xtalpsCore) {
    $xtalpsEdition = if ($PSVersionTable.PSEdition -eq 'Core') { 'core' } else { 'desktop' }
    Add-Type -Path (Join-Path $PSScriptRoot "bin/$xtalpsEdition/XtalPS.Core.dll")
    Remove-Variable xtalpsEdition
}
Remove-Variable xtalpsCore
# Then the pictures library of the same edition: bin/core draws (ScottPlot, SkiaSharp); bin/desktop only says that
# pictures need PowerShell 7.
if (-not ([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'XtalPS.Pictures' })) {
    $xtalpsEdition = if ($PSVersionTable.PSEdition -eq 'Core') { 'core' } else { 'desktop' }
    Add-Type -Path (Join-Path $PSScriptRoot "bin/$xtalpsEdition/XtalPS.Pictures.dll")
    Remove-Variable xtalpsEdition
}
