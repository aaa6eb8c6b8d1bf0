#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Spot finding, gain estimation and planar lattice search against the truth of New-SimulatedImage.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/XtalPS/XtalPS.psd1') -Force

    # The true lattice point nearest a position, and the distance to it (pixels). Simulated spot (h, k) is
    # centred exactly at Origin + h*A + k*B.
    function Get-NearestTruePoint($Truth, [double]$X, [double]$Y) {
        $o = $Truth.Origin; $a = $Truth.A; $b = $Truth.B
        $det = $a.X * $b.Y - $a.Y * $b.X
        $dx = $X - $o.X; $dy = $Y - $o.Y
        # [int]: a rounded -0.0 would print as "-0" and miss the key "0".
        $h = [int][math]::Round(($dx * $b.Y - $dy * $b.X) / $det)
        $k = [int][math]::Round(($a.X * $dy - $a.Y * $dx) / $det)
        $px = $o.X + $h * $a.X + $k * $b.X; $py = $o.Y + $h * $a.Y + $k * $b.Y
        [pscustomobject]@{ Key = "$h,$k"; Distance = [math]::Sqrt(($X - $px) * ($X - $px) + ($Y - $py) * ($Y - $py)) }
    }

    # The spots of a list as text, to compare two runs value for value.
    function Get-SpotText($Lists) {
        (@($Lists).Spots | ForEach-Object { '{0:R},{1:R},{2:R},{3}' -f $_.X, $_.Y, $_.Intensity, $_.PixelCount }) -join ';'
    }

    $width = 320; $height = 288
    $lattice = @{ Width = $width; Height = $height; A = 21.5, 1.5; B = -2, 23; SpotSigma = 1.3 }
}

Describe 'Find-BraggSpot on simulated images' {
    BeforeAll {
        $images = @(New-SimulatedImage @lattice -Count 3 -Seed 31)
        $lists = @($images | Find-BraggSpot)
    }

    It 'writes one SpotList per image, in input order, each holding its image' {
        $lists | Should -HaveCount 3
        $lists.Image.Name | Should -Be @('Simulated#0', 'Simulated#1', 'Simulated#2')
        for ($i = 0; $i -lt 3; $i++) {
            [object]::ReferenceEquals($lists[$i].Image, $images[$i]) | Should -BeTrue
            $lists[$i].Count | Should -BeGreaterThan 100
            $lists[$i].Algorithm | Should -Be 'DispersionExtended'
        }
    }

    It 'puts every spot on a true spot: within 1 pixel away from the edges, 0.15 pixel on average' {
        foreach ($list in $lists) {
            $truth = $list.Image.Truth
            $sum = 0.0
            foreach ($spot in $list.Spots) {
                $near = Get-NearestTruePoint $truth $spot.X $spot.Y
                $sum += $near.Distance
                # Spots cut by the image edge have their centroid pulled inwards.
                $limit = if ($spot.X -gt 4 -and $spot.X -lt $width - 4 -and $spot.Y -gt 4 -and $spot.Y -lt $height - 4) { 1.0 } else { 1.5 }
                $near.Distance | Should -BeLessThan $limit
            }
            $sum / $list.Count | Should -BeLessThan 0.15
        }
    }

    It 'finds at least 95 % of the clearly strong true spots' {
        foreach ($list in $lists) {
            $found = @{}
            foreach ($spot in $list.Spots) { $found[(Get-NearestTruePoint $list.Image.Truth $spot.X $spot.Y).Key] = $true }
            $strong = @($list.Image.Truth.Spots | Where-Object {
                $_.Intensity -gt 2000 -and $_.X -gt 5 -and $_.X -lt $width - 5 -and $_.Y -gt 5 -and $_.Y -lt $height - 5 })
            $strong.Count | Should -BeGreaterThan 50
            $hit = @($strong | Where-Object { $found.ContainsKey("$($_.H),$($_.K)") }).Count
            $hit / $strong.Count | Should -BeGreaterThan 0.95
        }
    }

    It 'writes the same spots one by one with -AsSpots' {
        $spots = @($images[0] | Find-BraggSpot -AsSpots)
        $spots | Should -HaveCount $lists[0].Count
        $spots[0] | Should -BeOfType ([XtalPS.Spots.BraggSpot])
        ($spots | ForEach-Object { '{0:R},{1:R}' -f $_.X, $_.Y }) -join ';' |
            Should -Be (($lists[0].Spots | ForEach-Object { '{0:R},{1:R}' -f $_.X, $_.Y }) -join ';')
    }

    It 'gives exactly the same output with -ThrottleLimit' {
        # 288 rows are two bands of 256 rows, so the parallel run also splits each image.
        $parallel = @($images | Find-BraggSpot -ThrottleLimit 3)
        $parallel.Image.Name | Should -Be $lists.Image.Name
        Get-SpotText $parallel | Should -BeExactly (Get-SpotText $lists)
    }

    It 'keeps only spots inside the resolution limits' {
        $all = @($images[0] | Find-BraggSpot -AsSpots)
        $limits = @($all.D | Sort-Object)
        $dMin = $limits[[int]($limits.Count * 0.25)]; $dMax = $limits[[int]($limits.Count * 0.75)]
        $kept = @($images[0] | Find-BraggSpot -AsSpots -DMin $dMin -DMax $dMax)
        $kept.Count | Should -BeGreaterThan 0
        $kept.Count | Should -BeLessThan $all.Count
        @($kept | Where-Object { $_.D -lt $dMin -or $_.D -gt $dMax }) | Should -HaveCount 0
        $kept.Count | Should -Be @($all | Where-Object { $_.D -ge $dMin -and $_.D -le $dMax }).Count
    }
}

Describe 'A wrong gain' {
    BeforeAll {
        # Pixels hold 8 ADU per photon; the detector model of an ordinary simulated image states 1.
        $statesOne = (New-SimulatedImage @lattice).Detector
        $good1 = New-SimulatedImage @lattice -Seed 41
        $bad = New-SimulatedImage @lattice -Seed 42 -Gain 8 -Background 200 -Detector $statesOne
        $good2 = New-SimulatedImage @lattice -Seed 43
    }

    It 'is a TooManyStrongPixels error for that image, and the pipeline goes on with the next one' {
        $lists = @($good1, $bad, $good2 | Find-BraggSpot -ErrorVariable refused -ErrorAction SilentlyContinue)
        $lists | Should -HaveCount 2
        [object]::ReferenceEquals($lists[0].Image, $good1) | Should -BeTrue
        [object]::ReferenceEquals($lists[1].Image, $good2) | Should -BeTrue
        $refused | Should -HaveCount 1
        $refused[0].FullyQualifiedErrorId | Should -Be 'TooManyStrongPixels,XtalPS.Commands.FindBraggSpotCommand'
        $refused[0].CategoryInfo.Category | Should -Be 'InvalidData'
        [object]::ReferenceEquals($refused[0].TargetObject, $bad) | Should -BeTrue
        $refused[0].Exception.Message | Should -Match 'Measure-DetectorGain'
    }

    It 'stops Get-Lattice on that image the same way, and the others still get their lattice' {
        $found = @($good1, $bad, $good2 | Get-Lattice -Planar -ErrorVariable refused -ErrorAction SilentlyContinue)
        $found | Should -HaveCount 2
        $refused[0].FullyQualifiedErrorId | Should -Be 'TooManyStrongPixels,XtalPS.Commands.GetLatticeCommand'
    }

    It 'is put right with the gain that Measure-DetectorGain estimates' {
        $estimate = $bad | Measure-DetectorGain -WarningVariable warned -WarningAction SilentlyContinue
        $warned | Should -HaveCount 1
        "$warned" | Should -Match 'pass -Gain'
        $estimate.PanelGain | Should -Be 1
        [math]::Abs($estimate.Gain - 8) / 8 | Should -BeLessThan 0.05
        $list = $bad | Find-BraggSpot -Gain $estimate.Gain
        $list.Count | Should -BeGreaterThan 100
        foreach ($spot in $list.Spots) { (Get-NearestTruePoint $bad.Truth $spot.X $spot.Y).Distance | Should -BeLessThan 1.5 }
    }
}

Describe 'Measure-DetectorGain' {
    It 'recovers the gain of simulated images to 5 %' {
        foreach ($gain in 0.5, 1, 2.5, 6) {
            $image = New-SimulatedImage @lattice -Gain $gain -Background 50 -Seed 7
            $estimate = $image | Measure-DetectorGain
            [math]::Abs($estimate.Gain - $gain) / $gain | Should -BeLessThan 0.05
            $estimate.PanelGain | Should -Be $gain
            $estimate.Windows | Should -BeGreaterThan 1000
        }
    }

    It 'reports TooLittleBackground for an empty image and measures the next one' {
        $empty = New-SimulatedImage -Width 64 -Height 64 -A 12, 0 -B 0, 12 -Background 0 -BackgroundTilt 0, 0 -Intensity 0
        $next = New-SimulatedImage @lattice -Gain 2 -Background 50 -Seed 8
        $estimates = @($empty, $next | Measure-DetectorGain -ErrorVariable failed -ErrorAction SilentlyContinue)
        $estimates | Should -HaveCount 1
        [math]::Abs($estimates[0].Gain - 2) / 2 | Should -BeLessThan 0.05
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TooLittleBackground,*'
    }
}

Describe 'Get-Lattice -Planar' {
    BeforeAll {
        $images = @(New-SimulatedImage @lattice -Count 3 -Seed 51)
        $fromSpots = @($images | Find-BraggSpot | Get-Lattice -Planar)
    }

    It 'recovers origin and basis of the simulated lattice to 0.05 pixel' {
        $fromSpots | Should -HaveCount 3
        foreach ($found in $fromSpots) {
            $truth = $found.Image.Truth
            # The default origin is the beam centre, which New-SimulatedImage puts on lattice point (0, 0).
            ($found.Origin - $truth.Origin).Length | Should -BeLessThan 0.05
            ($found.A - $truth.A).Length | Should -BeLessThan 0.05
            ($found.B - $truth.B).Length | Should -BeLessThan 0.05
            $found.Rmsd | Should -BeLessThan 0.3
            $found.IndexedCount / $found.Spots.Count | Should -BeGreaterThan 0.9
        }
    }

    It 'predicts the true spot positions' {
        $found = $fromSpots[0]
        foreach ($spot in $found.Image.Truth.Spots | Select-Object -First 40) {
            ($found.Predict($spot.H, $spot.K) - [XtalPS.Geometry.Vec2]::new($spot.X, $spot.Y)).Length | Should -BeLessThan 0.3
        }
    }

    It 'gives the same lattices from images, from spot lists and with -ThrottleLimit' {
        $fromImages = @($images | Get-Lattice -Planar -ThrottleLimit 3)
        $fromImages.ImageName | Should -Be $fromSpots.ImageName
        ($fromImages | ForEach-Object { '{0}|{1}|{2}' -f $_.Origin, $_.A, $_.B }) -join ';' |
            Should -Be (($fromSpots | ForEach-Object { '{0}|{1}|{2}' -f $_.Origin, $_.A, $_.B }) -join ';')
    }

    It 'reports the reduced basis of a lattice simulated with a long basis' {
        # A = (22, 3), B = (19, 27) describe the same lattice as A and B - A = (-3, 24).
        $image = New-SimulatedImage -Width 384 -Height 384 -A 22, 3 -B 19, 27 -SpotSigma 1.3 -Seed 8
        $found = $image | Get-Lattice -Planar
        ($found.A - [XtalPS.Geometry.Vec2]::new(22, 3)).Length | Should -BeLessThan 0.05
        ($found.B - [XtalPS.Geometry.Vec2]::new(-3, 24)).Length | Should -BeLessThan 0.05
        ($found.Origin - $image.Truth.Origin).Length | Should -BeLessThan 0.05
    }

    It 'refines a close hand seed to the same lattice, and refuses a poor one' {
        $seeded = $images[0] | Get-Lattice -Planar -Origin 150, 150 -A 21.6, 1.4 -B -2.1, 23.1
        ($seeded.A - $fromSpots[0].A).Length | Should -BeLessThan 0.01
        ($seeded.B - $fromSpots[0].B).Length | Should -BeLessThan 0.01
        # -Origin moves lattice point (0, 0) to the lattice point nearest (150, 150).
        $f = $fromSpots[0].FractionalIndices([XtalPS.Geometry.Vec2]::new(150, 150))
        $expected = $fromSpots[0].Predict([math]::Round($f.X), [math]::Round($f.Y))
        ($seeded.Origin - $expected).Length | Should -BeLessThan 0.05
        $images[0] | Get-Lattice -Planar -A 21.5, 0 -B 0, 23 -ErrorVariable poor -ErrorAction SilentlyContinue
        $poor[0].FullyQualifiedErrorId | Should -BeLike 'RmsdTooHigh,*'
    }

    It 'fits no distortion where there is none' {
        $found = $images[0] | Get-Lattice -Planar -FitDistortion
        # The bend at 150 pixels from the origin, in pixels: within the noise of ~180 centroids (0.1 pixel each),
        # far below the pixels of distortion that -FitDistortion is for.
        [math]::Abs($found.BarrelDistortion) * [math]::Pow(150, 3) | Should -BeLessThan 0.2
        [math]::Abs($found.SpiralDistortion) * [math]::Pow(150, 3) | Should -BeLessThan 0.2
        $found.Rmsd | Should -BeLessThan 0.3
        ($found.Origin - $fromSpots[0].Origin).Length | Should -BeLessThan 0.05
    }

    It 'reports an image without a lattice and goes on with the next one' {
        $blank = New-SimulatedImage @lattice -Intensity 0 -Seed 52
        $found = @($images[0], $blank, $images[1] | Get-Lattice -Planar -ErrorVariable failed -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $found | Should -HaveCount 2
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TooFewSpots,*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidResult'
    }

    It 'stops when only one vector of a hand seed is given' {
        { $images[0] | Get-Lattice -Planar -A 21.5, 1.5 } | Should -Throw -ExpectedMessage '*both -A and -B*'
    }
}
