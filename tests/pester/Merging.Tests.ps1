#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# The merging workflow end to end on stills of one crystal made by New-SimulatedImage: spots, known-cell indexing,
# integration, Merge-ReflectionTable, merged MTZ out and back in, scored against the simulator's true intensities;
# then a crystal with an indexing ambiguity (P 43, lattice 4/mmm) and a merge against a reference file.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/XtalPS/XtalPS.psd1') -Force
    $cell = 79.1, 79.1, 37.9, 90, 90, 90
    function Get-Tables([string] $Group, [int] $Seed, [int] $Count) {
        $images = @(New-SimulatedImage -UnitCell $cell -SpaceGroup $Group -RandomOrientation -Seed $Seed -Count $Count -StructureSeed 4 -Width 512 -Height 512)
        # The true full intensity of every asymmetric-unit index, from the simulator.
        $truth = @{}
        $sg = $images[0].Truth.SpaceGroup
        foreach ($img in $images) {
            foreach ($r in $img.Truth.Reflections) {
                $a = $sg.MapToAsymmetricUnit($r.H, $r.K, $r.L)
                $truth["$($a.Item1),$($a.Item2),$($a.Item3)"] = $r.FullIntensity
            }
        }
        $tables = @($images | Find-BraggSpot | Get-Lattice -UnitCell $cell -SpaceGroup $Group | Invoke-PeakIntegration)
        [pscustomobject]@{ Tables = $tables; Truth = $truth; Group = $sg }
    }
    function Get-TruthCorrelation($Merged, $Truth, $Group) {
        $x = [System.Collections.Generic.List[double]]::new(); $y = [System.Collections.Generic.List[double]]::new()
        $d = $Merged.Data
        for ($r = 0; $r -lt $d.Count; $r++) {
            $a = $Group.MapToAsymmetricUnit($d.H[$r], $d.K[$r], $d.L[$r])
            $key = "$($a.Item1),$($a.Item2),$($a.Item3)"
            if ($Truth.ContainsKey($key)) { $x.Add($d.Intensity[$r]); $y.Add($Truth[$key]) }
        }
        [XtalPS.Merging.MergingStatistics]::Correlation($x.ToArray(), $y.ToArray())
    }
    $lyso = Get-Tables P43212 300 24
    $out = Join-Path ([System.IO.Path]::GetTempPath()) "xtalps-pester-merge-$PID"
    New-Item -ItemType Directory -Force -Path $out | Out-Null
}

AfterAll { Remove-Item -Recurse -Force $out -ErrorAction SilentlyContinue }

Describe 'Merge-ReflectionTable on simulated lysozyme stills' {
    BeforeAll { $merged = $lyso.Tables | Merge-ReflectionTable -SpaceGroup P43212 }

    It 'merges every lattice into one data set with a CC½ near 1' {
        $merged | Should -HaveCount 1
        $merged.LatticesUsed | Should -Be $lyso.Tables.Count
        $merged.CCHalf | Should -BeGreaterThan 0.9
    }

    It 'agrees with the true intensities of the crystal' {
        Get-TruthCorrelation $merged $lyso.Truth $lyso.Group | Should -BeGreaterThan 0.95
    }

    It 'beats the plain Monte-Carlo average' {
        $mc = $lyso.Tables | Merge-ReflectionTable -SpaceGroup P43212 -Model MonteCarlo
        (Get-TruthCorrelation $merged $lyso.Truth $lyso.Group) | Should -BeGreaterThan (Get-TruthCorrelation $mc $lyso.Truth $lyso.Group)
    }

    It 'writes a merged MTZ with intensities, French–Wilson amplitudes and half-sets, and reads it back' {
        $path = Join-Path $out 'lyso_merged.mtz'
        $merged | Export-ReflectionTable -Path $path -Force
        Test-Path $path | Should -BeTrue
        $again = $lyso.Tables | Merge-ReflectionTable -SpaceGroup P43212 -Reference $path
        $again.LatticesUsed | Should -Be $lyso.Tables.Count
        Get-TruthCorrelation $again $lyso.Truth $lyso.Group | Should -BeGreaterThan 0.95
    }

    It 'says nothing about an indexing ambiguity where there is none' {
        $merged.Lattices | Where-Object Reindexing | Should -BeNullOrEmpty
    }
}

Describe 'Merge-ReflectionTable with an indexing ambiguity (P 43)' {
    BeforeAll { $p43 = Get-Tables P43 500 24 }

    It 'reindexes the lattices that were indexed the other way and merges them' {
        $resolved = $p43.Tables | Merge-ReflectionTable -SpaceGroup P43
        $ignored = $p43.Tables | Merge-ReflectionTable -SpaceGroup P43 -AssumeNoAmbiguity
        $ccResolved = Get-TruthCorrelation $resolved $p43.Truth $p43.Group
        $ccIgnored = Get-TruthCorrelation $ignored $p43.Truth $p43.Group
        @($resolved.Lattices | Where-Object Reindexing).Count | Should -BeGreaterThan 0
        $ccResolved | Should -BeGreaterThan 0.9
        $ccResolved | Should -BeGreaterThan ($ccIgnored + 0.05)
    }
}

Describe 'Merge-ReflectionTable errors' {
    It 'refuses a reference of another Laue class with a clear error id' {
        $path = Join-Path $out 'p43_ref.mtz'
        $lyso.Tables[0..5] | Merge-ReflectionTable -SpaceGroup P43212 | Export-ReflectionTable -Path $path -Force
        { $lyso.Tables | Merge-ReflectionTable -SpaceGroup P1 -Reference $path -ErrorAction Stop } |
            Should -Throw -ErrorId 'ReferenceSymmetryMismatch*'
    }
}
