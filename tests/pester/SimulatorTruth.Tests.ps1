#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# New-SimulatedImage as ground truth: what it draws must be what its Truth says, through a file and back.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/XtalPS/XtalPS.psd1') -Force

    # Intensity-weighted centroid of one spot, in pixels with the DIALS convention (first pixel centre 0.5).
    function Get-Centroid($Image, [double]$X, [double]$Y, [int]$HalfWidth) {
        $panel = $Image.PanelImages[0]
        $sum = 0.0; $sx = 0.0; $sy = 0.0
        for ($j = [math]::Floor($Y) - $HalfWidth; $j -le [math]::Floor($Y) + $HalfWidth; $j++) {
            for ($i = [math]::Floor($X) - $HalfWidth; $i -le [math]::Floor($X) + $HalfWidth; $i++) {
                $v = $panel.Pixels[$j * $panel.Width + $i]
                $sum += $v; $sx += ($i + 0.5) * $v; $sy += ($j + 0.5) * $v
            }
        }
        [pscustomobject]@{ X = $sx / $sum; Y = $sy / $sum; Sum = $sum }
    }
}

Describe 'New-SimulatedImage truth' {
    BeforeAll {
        $settings = @{
            Width = 160; Height = 140; Origin = 80.3, 70.6; A = 20, 0.5; B = -0.5, 20
            SpotSigma = 1.2; Background = 0; BackgroundTilt = 0, 0; NoNoise = $true
        }
        $exact = New-SimulatedImage @settings -ConstantIntensity -Intensity 1000
    }

    It 'records the settings in its truth' {
        $exact.Truth.Origin.X | Should -Be 80.3
        $exact.Truth.Origin.Y | Should -Be 70.6
        $exact.Truth.SigmaX | Should -Be 1.2
        $exact.Truth.Seed | Should -BeNullOrEmpty
        $exact.Truth.Spots.Count | Should -BeGreaterThan 30
    }

    It 'draws each spot where the truth says, to a thousandth of a pixel' {
        $inside = $exact.Truth.Spots | Where-Object { $_.X -gt 10 -and $_.X -lt 150 -and $_.Y -gt 10 -and $_.Y -lt 130 }
        @($inside).Count | Should -BeGreaterThan 10
        foreach ($spot in $inside) {
            $c = Get-Centroid $exact $spot.X $spot.Y 7
            [math]::Abs($c.X - $spot.X) | Should -BeLessThan 1e-3
            [math]::Abs($c.Y - $spot.Y) | Should -BeLessThan 1e-3
            [math]::Abs($c.Sum - $spot.Intensity) / $spot.Intensity | Should -BeLessThan 1e-4
        }
    }

    It 'puts exactly the true intensity on the image when there is no background or noise' {
        $pixels = (Measure-DiffractionImage $exact).Sum
        $truth = ($exact.Truth.Spots | Measure-Object -Property IntensityInImage -Sum).Sum
        [math]::Abs($pixels - $truth) / $truth | Should -BeLessThan 1e-6
    }

    It 'gives the same image for the same seed and another for another seed' {
        $a = New-SimulatedImage -Width 64 -Height 64 -A 12, 0 -B 0, 12 -Seed 11 | Measure-DiffractionImage
        $b = New-SimulatedImage -Width 64 -Height 64 -A 12, 0 -B 0, 12 -Seed 11 | Measure-DiffractionImage
        $c = New-SimulatedImage -Width 64 -Height 64 -A 12, 0 -B 0, 12 -Seed 12 | Measure-DiffractionImage
        $b.Sum | Should -Be $a.Sum
        $c.Sum | Should -Not -Be $a.Sum
    }

    It 'numbers a series and gives image i the seed Seed + i' {
        $series = @(New-SimulatedImage -Width 64 -Height 64 -A 12, 0 -B 0, 12 -Seed 40 -Count 3)
        $series.Name | Should -Be @('Simulated#0', 'Simulated#1', 'Simulated#2')
        $series.Truth.Seed | Should -Be @(40, 41, 42)
        $single = New-SimulatedImage -Width 64 -Height 64 -A 12, 0 -B 0, 12 -Seed 42
        ($single | Measure-DiffractionImage).Sum | Should -Be ($series[2] | Measure-DiffractionImage).Sum
    }

    It 'survives a round trip through a miniCBF file unchanged' {
        $noisy = New-SimulatedImage -Width 96 -Height 80 -A 15, 2 -B -2, 14 -Seed 3
        $file = Join-Path $TestDrive 'noisy.cbf'
        $noisy | Export-DiffractionImage -Path $file
        $back = Import-DiffractionImage -LiteralPath $file
        $back.Truth | Should -BeNullOrEmpty
        $before = $noisy | Measure-DiffractionImage
        $after = $back | Measure-DiffractionImage
        $after.Sum | Should -Be $before.Sum
        $after.Max | Should -Be $before.Max
        $centre = $noisy.Truth.Spots | Sort-Object { [math]::Abs($_.X - 48) + [math]::Abs($_.Y - 40) } | Select-Object -First 1
        (Get-Centroid $back $centre.X $centre.Y 3).Sum | Should -Be (Get-Centroid $noisy $centre.X $centre.Y 3).Sum
    }

    It 'stops with InvalidSimulationSettings for parallel lattice vectors' {
        $err = { New-SimulatedImage -A 10, 0 -B 20, 0 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidSimulationSettings,*'
    }
}
