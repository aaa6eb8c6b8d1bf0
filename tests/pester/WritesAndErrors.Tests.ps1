#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Writing files safely and reporting bad input without stopping the pipeline.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/XtalPS/XtalPS.psd1') -Force
}

Describe 'Export-DiffractionImage writes safely' {
    BeforeAll {
        $images = @(New-SimulatedImage -Width 64 -Height 48 -A 12, 1 -B -1, 11 -Count 2 -Seed 9)
    }

    BeforeEach {
        $out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $out | Out-Null
    }

    It '-WhatIf writes no file at all' {
        $images | Export-DiffractionImage -Path (Join-Path $out 'frame_{0:D3}.cbf') -WhatIf
        @(Get-ChildItem -LiteralPath $out -Force) | Should -HaveCount 0
    }

    It 'writes one file per image, numbered from the pattern, and nothing else' {
        $files = @($images | Export-DiffractionImage -Path (Join-Path $out 'frame_{0:D3}.cbf') -PassThru)
        $files.Name | Should -Be @('frame_000.cbf', 'frame_001.cbf')
        # Atomic writes leave no temporary files behind.
        @(Get-ChildItem -LiteralPath $out -Force).Name | Should -Be @('frame_000.cbf', 'frame_001.cbf')
    }

    It 'refuses to replace a file without -Force and replaces it with -Force' {
        $target = Join-Path $out 'one.cbf'
        $images[0] | Export-DiffractionImage -Path $target
        $before = (Get-FileHash -LiteralPath $target).Hash
        $images[1] | Export-DiffractionImage -Path $target -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused | Should -HaveCount 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'FileExists,*'
        (Get-FileHash -LiteralPath $target).Hash | Should -Be $before
        $images[1] | Export-DiffractionImage -Path $target -Force
        (Get-FileHash -LiteralPath $target).Hash | Should -Not -Be $before
        (Import-DiffractionImage $target | Measure-DiffractionImage).Sum | Should -Be ($images[1] | Measure-DiffractionImage).Sum
    }

    It 'reports PathCollision when several images would go to one name' {
        $images | Export-DiffractionImage -Path (Join-Path $out 'same.cbf') -ErrorVariable collided -ErrorAction SilentlyContinue
        $collided | Should -HaveCount 1
        $collided[0].FullyQualifiedErrorId | Should -BeLike 'PathCollision,*'
        @(Get-ChildItem -LiteralPath $out).Name | Should -Be @('same.cbf')
    }

    It 'reports ImageNotWritable for fractional pixel values and writes nothing' {
        New-SimulatedImage -Width 32 -Height 32 -A 8, 0 -B 0, 8 -NoNoise |
            Export-DiffractionImage -Path (Join-Path $out 'exact.cbf') -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotWritable,*'
        @(Get-ChildItem -LiteralPath $out -Force) | Should -HaveCount 0
    }
}

Describe 'Import-DiffractionImage keeps going past bad input' {
    BeforeAll {
        $dir = Join-Path $TestDrive 'mixed'
        New-Item -ItemType Directory -Path $dir | Out-Null
        New-SimulatedImage -Width 64 -Height 48 -A 12, 1 -B -1, 11 -Count 2 -Seed 21 |
            Export-DiffractionImage -Path (Join-Path $dir 'good_{0}.cbf')
        # A file cut off 100 bytes into its pixel data (after the CBF binary marker 0C 1A 04 D5).
        $bytes = [System.IO.File]::ReadAllBytes((Join-Path $dir 'good_0.cbf'))
        $marker = [System.Text.Encoding]::ASCII.GetString($bytes).IndexOf("`f$([char]0x1A)$([char]0x04)")
        $marker | Should -BeGreaterThan 0
        $bad = Join-Path $dir 'bad.cbf'
        [System.IO.File]::WriteAllBytes($bad, [byte[]]$bytes[0..($marker + 103)])
        Set-Content -LiteralPath (Join-Path $dir 'notes.cbf') -Value 'not an image'
    }

    It 'writes an InvalidImageData error for the bad file and still reads the good ones after it' {
        $paths = (Join-Path $dir 'bad.cbf'), (Join-Path $dir 'good_0.cbf'), (Join-Path $dir 'notes.cbf'), (Join-Path $dir 'good_1.cbf')
        $images = @(Import-DiffractionImage -Path $paths -ErrorVariable problems -ErrorAction SilentlyContinue)
        $images.Name | Should -Be @('good_0.cbf', 'good_1.cbf')
        $problems | Should -HaveCount 2
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'InvalidImageData,*'
        $problems[0].TargetObject | Should -Be (Join-Path $dir 'bad.cbf')
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[1].TargetObject | Should -Be (Join-Path $dir 'notes.cbf')
    }

    It 'keeps the same order of images and errors with -ThrottleLimit' {
        $files = Get-ChildItem -LiteralPath $dir -Filter *.cbf | Sort-Object Name
        $serial = @(($files | Import-DiffractionImage -ErrorAction SilentlyContinue -ErrorVariable e1).Name)
        $parallel = @(($files | Import-DiffractionImage -ThrottleLimit 4 -ErrorAction SilentlyContinue -ErrorVariable e2).Name)
        $parallel | Should -Be $serial
        @($e2.TargetObject) | Should -Be @($e1.TargetObject)
    }

    It 'writes FileNotFound for a path that matches nothing, and goes on' {
        $images = @(Import-DiffractionImage -Path (Join-Path $dir 'missing*.cbf'), (Join-Path $dir 'good_1.cbf') -ErrorVariable missing -ErrorAction SilentlyContinue)
        $images | Should -HaveCount 1
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'FileNotFound,*'
    }

    It 'measures what it could read in the same pipeline' {
        $stats = @(Import-DiffractionImage (Join-Path $dir '*.cbf') -ErrorAction SilentlyContinue | Measure-DiffractionImage)
        $stats.Image | Should -Be @('good_0.cbf', 'good_1.cbf')
    }
}
