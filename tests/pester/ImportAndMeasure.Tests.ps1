#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Reading and measuring images the way a user does: write a small run to disk, read it back, measure it.
# Run with: Invoke-Pester ./tests/pester (after building, so module/XtalPS/bin holds the binaries).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/XtalPS/XtalPS.psd1') -Force
}

Describe 'Import-DiffractionImage | Measure-DiffractionImage on images exported to disk' {
    BeforeAll {
        $data = Join-Path $TestDrive 'data'
        New-Item -ItemType Directory -Path $data | Out-Null
        $simulated = @(New-SimulatedImage -Width 128 -Height 96 -A 16, 1 -B -1, 15 -Count 3 -Seed 5)
        $simulated | Export-DiffractionImage -Path (Join-Path $data 'frame_{0:D3}.cbf')
    }

    It 'reads every file a wildcard matches, in name order' {
        $images = @(Import-DiffractionImage -Path (Join-Path $data '*.cbf'))
        $images | Should -HaveCount 3
        $images.Name | Should -Be @('frame_000.cbf', 'frame_001.cbf', 'frame_002.cbf')
        $images[0].Format | Should -Be 'miniCBF'
    }

    It 'gives back exactly the pixel statistics of the images that were written' {
        $back = @(Import-DiffractionImage (Join-Path $data '*.cbf') | Measure-DiffractionImage)
        $original = @($simulated | Measure-DiffractionImage)
        $back | Should -HaveCount 3
        foreach ($i in 0..2) {
            $back[$i].Sum | Should -Be $original[$i].Sum
            $back[$i].Min | Should -Be $original[$i].Min
            $back[$i].Max | Should -Be $original[$i].Max
            $back[$i].Width | Should -Be 128
            $back[$i].Height | Should -Be 96
            $back[$i].MaskedCount | Should -Be 0
        }
    }

    It 'keeps the geometry: wavelength, pixel size, distance and beam centre' {
        $image = Import-DiffractionImage (Join-Path $data 'frame_000.cbf')
        $panel = $image.Detector.Panels[0]
        [math]::Abs($image.Wavelength - $simulated[0].Wavelength) | Should -BeLessThan 1e-9
        [math]::Abs($panel.PixelSize - 0.015) | Should -BeLessThan 1e-12
        [math]::Abs($image.Detector.Distance - $simulated[0].Detector.Distance) | Should -BeLessThan 1e-9
        # The origin is the outer corner of the first pixel, so the two models must agree on it.
        [math]::Abs($panel.Origin.X - $simulated[0].Detector.Panels[0].Origin.X) | Should -BeLessThan 1e-9
        [math]::Abs($panel.Origin.Y - $simulated[0].Detector.Panels[0].Origin.Y) | Should -BeLessThan 1e-9
    }

    It 'returns the same images in the same order with -ThrottleLimit' {
        $serial = @(Import-DiffractionImage (Join-Path $data '*.cbf') | Measure-DiffractionImage)
        $parallel = @(Import-DiffractionImage (Join-Path $data '*.cbf') -ThrottleLimit 3 | Measure-DiffractionImage)
        $parallel.Image | Should -Be $serial.Image
        $parallel.Sum | Should -Be $serial.Sum
    }

    It 'takes files from Get-ChildItem, brackets in the name included' {
        $odd = Join-Path $data 'odd[1].cbf'
        Copy-Item -LiteralPath (Join-Path $data 'frame_001.cbf') -Destination $odd
        $image = Get-ChildItem -LiteralPath $odd | Import-DiffractionImage
        $image.Name | Should -BeExactly 'odd[1].cbf'
        Remove-Item -LiteralPath $odd
    }

    It 'measures one row per panel with the image name on it' {
        $rows = @($simulated[1] | Measure-DiffractionImage)
        $rows | Should -HaveCount 1
        $rows[0].Image | Should -Be 'Simulated#1'
        $rows[0].ValidCount | Should -Be (128 * 96)
        $rows[0].Mean | Should -Be ($rows[0].Sum / $rows[0].ValidCount)
    }
}
