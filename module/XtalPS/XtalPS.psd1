@{
    # ModuleVersion is written by the build from Directory.Build.props (the one version source).
    RootModule           = 'bin/XtalPS.dll'
    ModuleVersion = '0.1.0'
    GUID                 = '5d0f3c52-7a0e-4a8b-9d8e-2f6b1c4e9a17'
    Author               = 'XtalPS developers'
    CompanyName          = 'XtalPS'
    Copyright            = '(c) XtalPS developers'
    Description          = 'Diffraction images to measured reflections and a better-known experiment: spot finding, indexing, Gaussian lattice extraction, peak integration and detector metrology as PowerShell cmdlets.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('XtalPS.format.ps1xml')
    # Loads bin/core or bin/desktop XtalPS.Core.dll for this edition before bin/XtalPS.dll loads.
    ScriptsToProcess     = @('XtalPS.Init.ps1')
    CmdletsToExport      = @(
        'Add-ImageMask'
        'Export-DetectorModel'
        'Export-DiffractionImage'
        'Export-ReflectionTable'
        'Find-BraggSpot'
        'Get-Lattice'
        'Import-DetectorModel'
        'Import-DiffractionImage'
        'Import-ReflectionTable'
        'Invoke-LatticeExtract'
        'Invoke-PeakIntegration'
        'Measure-DetectorGain'
        'Measure-DiffractionImage'
        'Measure-UnitCell'
        'New-SimulatedImage'
        'Update-DetectorMetrology'
        'Export-DiffractionPicture'
        'Export-DiffractionPlot'
        'Export-RunReport'
        'Start-ProcessingJob'
        'Get-ProcessingJob'
        'Get-ProcessingSummary'
        'Invoke-ProcessingChunk'
        'Merge-ReflectionTable'
        'Measure-LatticeTilt'
        'Invoke-IpltProject'
        'Merge-LatticeLine'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('crystallography', 'diffraction', 'XFEL', 'DIALS', 'electron-diffraction', 'CBF', 'MTZ')
            ReleaseNotes = 'See README.md.'
        }
    }
}
