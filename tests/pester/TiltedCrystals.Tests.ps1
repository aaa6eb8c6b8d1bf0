#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Tilted 2D crystals: Measure-LatticeTilt against the truth of New-SimulatedImage -PlanarCell, and an IPLT project.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/XtalPS/XtalPS.psd1') -Force
    $cell = 58, 66, 95
}

Describe 'Measure-LatticeTilt on simulated tilted crystals' {
    BeforeAll {
        $cases = @(
            @{ Tilt = 18; Axis = -25; Taxa = 70 }
            @{ Tilt = -42; Axis = 80; Taxa = -10 }
        )
        $images = @(foreach ($c in $cases) { New-SimulatedImage -PlanarCell $cell -TiltAngle $c.Tilt -TiltAxis $c.Axis -Taxa $c.Taxa -Width 640 -Height 640 -Seed 4 })
        $tilts = @($images | Find-BraggSpot | Get-Lattice -Planar | Invoke-LatticeExtract | Invoke-PeakIntegration | Measure-LatticeTilt -UnitCell $cell)
    }

    It 'gives |θ| and TLTAXIS within 0.2° of the truth' {
        $tilts | Should -HaveCount 2
        for ($i = 0; $i -lt 2; $i++) {
            [math]::Abs($tilts[$i].TiltAngle - [math]::Abs($cases[$i].Tilt)) | Should -BeLessThan 0.2
            $d = ($tilts[$i].TiltAxis - $cases[$i].Axis) % 180
            if ($d -gt 90) { $d -= 180 } elseif ($d -le -90) { $d += 180 }
            [math]::Abs($d) | Should -BeLessThan 0.2
        }
    }

    It 'gives every reflection the z* of its spot, up to the sign of the tilt' {
        $truth = @{}
        foreach ($s in $images[1].Truth.Spots) { $truth["$($s.H),$($s.K)"] = $s.ZStar }
        $rows = @($tilts[1].ReflectionTable.Reflections | Where-Object { $truth.ContainsKey("$($_.H),$($_.K)") })
        $rows.Count | Should -BeGreaterThan 200
        $sign = [math]::Sign(($rows | ForEach-Object { $_.ZStar * $truth["$($_.H),$($_.K)"] } | Measure-Object -Sum).Sum)
        $worst = ($rows | ForEach-Object { [math]::Abs($_.ZStar - $sign * $truth["$($_.H),$($_.K)"]) } | Measure-Object -Maximum).Maximum
        $worst | Should -BeLessThan 0.001
    }
}

Describe 'Invoke-IpltProject' {
    BeforeAll {
        $root = Join-Path ([IO.Path]::GetTempPath()) ("xtalps-pester-iplt-" + [guid]::NewGuid().ToString('N'))
        $d = New-Item -ItemType Directory -Path (Join-Path $root 'tilt1') -Force
        New-SimulatedImage -PlanarCell $cell -TiltAngle 30 -TiltAxis 15 -Width 512 -Height 512 -Seed 2 | Export-DiffractionImage -Path (Join-Path $d 'tilt1.cbf') | Out-Null
    }
    AfterAll { Remove-Item -Recurse -Force $root }

    It 'runs once, records its results in info.xml, and then finds them up to date' {
        $first = Invoke-IpltProject $root -UnitCell $cell
        $first.Tilt | Should -Be 'Ran'
        [math]::Abs($first.TiltAngle - 30) | Should -BeLessThan 0.2
        [xml]$info = Get-Content (Join-Path $root 'tilt1/info.xml')
        [double]$info.DocumentElement.DiffProcessingResults.DiffTilt.TLTANG.value | Should -Be $first.TiltAngle
        $second = Invoke-IpltProject $root -UnitCell $cell
        "$($second.Extract) $($second.Integrate) $($second.Tilt)" | Should -Be 'UpToDate UpToDate UpToDate'
        (Invoke-IpltProject $root).Tilt | Should -Be 'NoCell'
    }
}
