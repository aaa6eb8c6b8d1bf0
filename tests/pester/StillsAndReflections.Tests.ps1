#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# The X-ray stills workflow against the truth of New-SimulatedImage: known-cell indexing, summation integration,
# MTZ out and back in, indexing without a cell, and the errors a user meets on the way.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/XtalPS/XtalPS.psd1') -Force
    $cell = 79.1, 79.1, 37.9, 90, 90, 90
    $images = @(New-SimulatedImage -UnitCell $cell -SpaceGroup P43212 -RandomOrientation -Seed 211 -Count 2)
    $spots = @($images | Find-BraggSpot)
    $lattices = @($spots | Get-Lattice -UnitCell $cell -SpaceGroup P43212)
}

Describe 'Get-Lattice with a known cell' {
    It 'indexes every simulated still in input order' {
        $lattices | Should -HaveCount 2
        $lattices.ImageName | Should -Be @('Simulated#0', 'Simulated#1')
    }

    It 'finds the true orientation to a few hundredths of a degree' {
        for ($i = 0; $i -lt 2; $i++) {
            $lattices[$i].MisorientationTo($images[$i].Truth.ToLattice()) | Should -BeLessThan 0.05
        }
    }

    It 'keeps the cell within 0.3 % and predicts the spots to under half a pixel' {
        foreach ($l in $lattices) {
            [math]::Abs($l.UnitCell.A / 79.1 - 1) | Should -BeLessThan 0.003
            [math]::Abs($l.UnitCell.C / 37.9 - 1) | Should -BeLessThan 0.003
            $l.Rmsd | Should -BeLessThan 0.5
            $l.IndexedCount | Should -BeGreaterThan 300
        }
    }

    It 'refuses a space group it does not know, before reading anything' {
        { $spots | Get-Lattice -UnitCell $cell -SpaceGroup 'P 7' -ErrorAction Stop } | Should -Throw
    }
}

Describe 'Summation integration and MTZ files' {
    BeforeAll {
        $tables = @($lattices | Invoke-PeakIntegration -Method Summation)
        $mtz = Join-Path $TestDrive 'stills_int.mtz'
        $tables | Export-ReflectionTable -Path $mtz
        $back = @(Import-ReflectionTable -LiteralPath $mtz)
    }

    It 'integrates hundreds of reflections per still, most of them well behaved' {
        foreach ($t in $tables) {
            $t.Count | Should -BeGreaterThan 300
            $t.WellBehavedCount | Should -BeGreaterThan 200
        }
    }

    It 'writes one MTZ batch per still and reads every reflection back' {
        $back | Should -HaveCount 2
        ($back | ForEach-Object Count | Measure-Object -Sum).Sum | Should -Be (($tables | ForEach-Object Count | Measure-Object -Sum).Sum)
    }

    It 'refuses to replace the MTZ without -Force or -Append, with an error -ErrorVariable catches' {
        $before = (Get-Item $mtz).Length
        $tables | Export-ReflectionTable -Path $mtz -ErrorAction SilentlyContinue -ErrorVariable refused
        $refused | Should -HaveCount 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'FileExists,*'
        (Get-Item $mtz).Length | Should -Be $before
        { $tables | Export-ReflectionTable -Path $mtz -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-Force*'
    }
}

Describe 'Indexing without a cell' {
    It 'finds the lysozyme cell and a tetragonal Bravais lattice from the stills together' {
        $summary = $spots | Get-Lattice | Measure-UnitCell
        $summary.BestBravais.ToString() | Should -BeLike 'tP*'
        $edges = @($summary.ConsensusCell.A, $summary.ConsensusCell.B, $summary.ConsensusCell.C) | Sort-Object
        [math]::Abs($edges[0] / 37.9 - 1) | Should -BeLessThan 0.01
        [math]::Abs($edges[2] / 79.1 - 1) | Should -BeLessThan 0.01
    }
}
