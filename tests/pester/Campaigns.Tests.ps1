#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# A processing campaign on this machine, as a user runs one: simulated stills written to files, a pipeline script,
# Start-ProcessingJob with the local scheduler, the job in PowerShell's own job commands, the summary, gathering
# into an MTZ file, and resuming after a chunk is lost. (The real-Slurm test is SlurmCampaignTests in the module tests.)

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/XtalPS/XtalPS.psd1') -Force
    $images = Join-Path $TestDrive 'run1'
    New-Item -ItemType Directory -Path $images | Out-Null
    $i = 0
    New-SimulatedImage -UnitCell 79.1, 79.1, 37.9, 90, 90, 90 -SpaceGroup P43212 -RandomOrientation -Seed 31 -Count 6 -Width 512 -Height 512 -DMin 3 |
        ForEach-Object { Export-DiffractionImage -Image $_ -Path (Join-Path $images ('still_{0:D3}.cbf' -f $i)) | Out-Null; $i++ }
    $script = Join-Path $TestDrive 'pipeline.ps1'
    Set-Content -LiteralPath $script -Value @'
param([double[]] $UnitCell, [string] $SpaceGroup)
$input | Find-BraggSpot | Get-Lattice -UnitCell $UnitCell -SpaceGroup $SpaceGroup | Invoke-PeakIntegration -Method Summation -DMin 3 -Cycles 1
'@
    $parameters = @{ UnitCell = 79.1, 79.1, 37.9, 90, 90, 90; SpaceGroup = 'P43212' }
    $out = Join-Path $TestDrive 'run1_out'
    $job = Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $script -ScriptParameter $parameters -OutputFolder $out -ChunkSize 2 -PollInterval 0.5
    $null = $job | Wait-Job -Timeout 900
    $received = @($job | Receive-Job)
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -eq 'XtalPSCampaign' | Remove-Job -Force
}

Describe 'A local campaign as a PowerShell job' {
    It 'is listed by Get-Job and completes' {
        (Get-Job -Id $job.Id).PSJobTypeName | Should -Be 'XtalPSCampaign'
        $job.State | Should -Be 'Completed'
        $job.CompletedChunks | Should -Be 3
    }

    It 'gives one status per chunk and the summary through Receive-Job, never the tables' {
        @($received | Where-Object { $_ -is [XtalPS.Campaigns.ChunkStatus] }) | Should -HaveCount 3
        @($received | Where-Object { $_ -is [XtalPS.Campaigns.ProcessingSummary] }) | Should -HaveCount 1
        @($received | Where-Object { $_ -is [XtalPS.Integration.ReflectionTable] }) | Should -HaveCount 0
    }
}

Describe 'The summary and the gathered tables' {
    It 'counts every still as a hit that indexes, with the lysozyme cell' {
        $s = Get-ProcessingSummary -LiteralPath $out
        $s.Images | Should -Be 6
        $s.HitRate | Should -Be 1
        $s.IndexingRate | Should -Be 1
        $s.Failed | Should -Be 0
        [math]::Abs(($s.Cell.A, $s.Cell.B, $s.Cell.C | Measure-Object -Maximum).Maximum / 79.1 - 1) | Should -BeLessThan 0.005
    }

    It 'lists one record per image with -PerImage' {
        $records = @(Get-ProcessingSummary -LiteralPath $out -PerImage)
        $records | Should -HaveCount 6
        $records[0].Name | Should -Be 'still_000.cbf'
        $records | ForEach-Object { $_.Reflections | Should -BeGreaterThan 50 }
    }

    It 'gathers one table per lattice, in file order, into one MTZ file' {
        $tables = @(Import-ReflectionTable -LiteralPath $out)
        $tables | Should -HaveCount 6
        ($tables | ForEach-Object { Split-Path $_.ImagePath -Leaf }) | Should -Be @('still_000.cbf', 'still_001.cbf', 'still_002.cbf', 'still_003.cbf', 'still_004.cbf', 'still_005.cbf')
        $mtz = Join-Path $TestDrive 'run1.mtz'
        $tables | Export-ReflectionTable -Path $mtz
        @(Import-ReflectionTable -LiteralPath $mtz) | Should -HaveCount 6
    }
}

Describe 'Resuming' {
    It 'redoes only the chunk that was lost and gathers the same MTZ bytes' {
        $before = Join-Path $TestDrive 'before.mtz'
        Import-ReflectionTable -LiteralPath $out | Export-ReflectionTable -Path $before
        Remove-Item -LiteralPath (Join-Path $out 'chunks/chunk_000001.done.json')
        $again = Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $script -ScriptParameter $parameters -OutputFolder $out -ChunkSize 2 -PollInterval 0.5
        $null = $again | Wait-Job -Timeout 900
        $statuses = @($again | Receive-Job | Where-Object { $_ -is [XtalPS.Campaigns.ChunkStatus] } | Sort-Object Chunk)
        ($statuses | ForEach-Object Reused) | Should -Be @($true, $false, $true)
        $after = Join-Path $TestDrive 'after.mtz'
        Import-ReflectionTable -LiteralPath $out | Export-ReflectionTable -Path $after
        (Get-FileHash -LiteralPath $after).Hash | Should -Be (Get-FileHash -LiteralPath $before).Hash
    }

    It 'refuses another script in the same folder' {
        $other = Join-Path $TestDrive 'other.ps1'
        Set-Content -LiteralPath $other -Value '$input | Find-BraggSpot'
        { Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $other -OutputFolder $out -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*holds another campaign*'
    }
}
