using System;
using System.Collections.Generic;
using System.Globalization;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>A reflection predicted on a still: index, where it lands, and how far it is from diffracting.</summary>
    public readonly struct PredictedReflection
    {
        public PredictedReflection(int h, int k, int l, int panel, double x, double y, double deltaPsi, double excitationError, double d, Vec3 s1)
        {
            H = h; K = k; L = l; Panel = panel; X = x; Y = y; DeltaPsi = deltaPsi; ExcitationError = excitationError; D = d; S1 = s1;
        }
        public int H { get; }
        public int K { get; }
        public int L { get; }
        /// <summary>Panel index the ray hits.</summary>
        public int Panel { get; }
        /// <summary>Predicted position along fast, px (first pixel centre 0.5).</summary>
        public double X { get; }
        /// <summary>Predicted position along slow, px.</summary>
        public double Y { get; }
        /// <summary>Rotation (rad) about s0 × r that brings the reciprocal-lattice point onto the Ewald sphere (DIALS sign).</summary>
        public double DeltaPsi { get; }
        /// <summary>|s0 + r| − |s0| for the unrotated point, 1/Å (positive outside the Ewald sphere).</summary>
        public double ExcitationError { get; }
        /// <summary>Resolution, Å.</summary>
        public double D { get; }
        /// <summary>Diffracted wave vector (1/Å, length 1/λ) of the rotated point.</summary>
        public Vec3 S1 { get; }
        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "({0},{1},{2}) panel {3} ({4:0.##}, {5:0.##}) Δψ={6:0.#####} d={7:0.##} Å", H, K, L, Panel, X, Y, DeltaPsi, D);
    }

    /// <summary>Which reflections <see cref="StillsPredictor.Predict(Mat3, StillsPredictionSettings)"/> keeps.</summary>
    public sealed class StillsPredictionSettings
    {
        /// <summary>Highest resolution, Å (required: a positive number).</summary>
        public double DMin { get; set; } = 2.0;
        /// <summary>Lowest resolution, Å.</summary>
        public double DMax { get; set; } = double.PositiveInfinity;
        /// <summary>Keep reflections with |Δψ| at most this (rad): the mosaic-spread window. DIALS: 0.0015.</summary>
        public double MaxDeltaPsi { get; set; } = 0.0015;
        /// <summary>The Δψ window grows by this many rad per Å of spacing: |Δψ| ≤ MaxDeltaPsi + DeltaPsiPerAngstrom·d (a
        /// domain-size broadening, <see cref="SpotExtentModel.HalfWidth"/>). Default 0.</summary>
        public double DeltaPsiPerAngstrom { get; set; }
        /// <summary>Also keep reflections with |excitation error| at most this (1/Å): the domain-size window. 0 = off.</summary>
        public double MaxExcitationError { get; set; } = 0.0025;
        /// <summary>Space group whose systematic absences are left out (null = keep all).</summary>
        public SpaceGroup? SpaceGroup { get; set; }
        /// <summary>Keep only reflections that hit a panel (true), or also report misses with Panel −1 (false).</summary>
        public bool OnDetectorOnly { get; set; } = true;
    }

    /// <summary>
    /// Geometric prediction of stills (Sauter et al. 2014, Acta Cryst D70:3299; DIALS StillsRayPredictor): each
    /// reciprocal-lattice point r = A·h is rotated about s0 × r by the angle Δψ that puts it on the Ewald sphere,
    /// then the ray s1 = s0 + r' is intersected with the detector. The one stills model of XtalPS: indexing,
    /// integration and simulation predict through it, and metrology refines with the same two steps
    /// (<see cref="EwaldPrediction"/>, <see cref="PanelPlane"/>) and their analytic derivatives.
    /// </summary>
    public sealed class StillsPredictor
    {
        private readonly Panel[] _panels;
        private readonly PanelPlane[] _planes;
        private readonly Vec3 _s0, _unitS0;
        private readonly double _k0;
        // Per panel, a cone from the sample that holds every ray reaching the panel: unit axis and the cosine of its half-angle.
        private readonly Vec3[] _coneAxis;
        private readonly double[] _coneCos;

        public StillsPredictor(DetectorModel detector, Beam beam)
        {
            Detector = detector ?? throw new ArgumentNullException(nameof(detector));
            Beam = beam ?? throw new ArgumentNullException(nameof(beam));
            _panels = new Panel[detector.PanelCount];
            _planes = new PanelPlane[detector.PanelCount];
            for (int i = 0; i < _panels.Length; i++)
            {
                var p = detector.Panels[i];
                _panels[i] = p;
                _planes[i] = new PanelPlane(p.Origin, p.FastAxis, p.SlowAxis, p.PixelSize, p.PixelSizeSlow);
            }
            _s0 = beam.S0;
            _k0 = _s0.Length;
            _unitS0 = _s0 / _k0;
            _coneAxis = new Vec3[_panels.Length];
            _coneCos = new double[_panels.Length];
            for (int i = 0; i < _panels.Length; i++) BoundingCone(_panels[i], _planes[i], out _coneAxis[i], out _coneCos[i]);
        }

        /// <summary>
        /// The narrowest cone about the mean corner direction that holds the panel's four corners as seen from the sample. Rays
        /// that stay within a cone of half-angle below 90° form a convex set, so a cone that holds the corners holds the whole
        /// rectangle: a ray outside it cannot hit the panel and the exact intersection need not be computed. A panel the sample
        /// sees under 80° or more (or behind it) gets no cone (cosine −2: every ray is tested).
        /// </summary>
        private static void BoundingCone(Panel p, PanelPlane plane, out Vec3 axis, out double cos)
        {
            double w = p.Width * p.PixelSize, h = p.Height * p.PixelSizeSlow;
            Span<Vec3> corners = stackalloc Vec3[4];
            corners[0] = plane.Point(0, 0); corners[1] = plane.Point(w, 0); corners[2] = plane.Point(0, h); corners[3] = plane.Point(w, h);
            var sum = new Vec3(0, 0, 0);
            for (int c = 0; c < 4; c++)
            {
                double len = corners[c].Length;
                if (!(len > 0)) { axis = default; cos = -2; return; }
                corners[c] = corners[c] / len;
                sum += corners[c];
            }
            double sumLength = sum.Length;
            if (!(sumLength > 0)) { axis = default; cos = -2; return; }
            axis = sum / sumLength;
            cos = 1;
            for (int c = 0; c < 4; c++) cos = Math.Min(cos, axis.Dot(corners[c]));
            // A margin far above rounding and far below any pixel; a wide or ill-placed panel is always tested.
            cos = cos > 0.17 ? cos - 1e-9 : -2;
        }

        public DetectorModel Detector { get; }
        public Beam Beam { get; }

        /// <summary>
        /// Rotates r onto the Ewald sphere about s0 × r. Returns false when |r| ≥ 2|s0| (the point can never diffract).
        /// </summary>
        public bool TryRotateOntoEwaldSphere(Vec3 r, out Vec3 rotated, out double deltaPsi)
        {
            if (!EwaldPrediction.TryPredict(_s0, _k0, _unitS0, r, out var ew)) { rotated = default; deltaPsi = double.NaN; return false; }
            rotated = ew.Rotated;
            deltaPsi = ew.DeltaPsi;
            return true;
        }

        /// <summary>Where the ray along <paramref name="s1"/> meets the detector (first panel that contains it).</summary>
        public bool TryRayToPixel(Vec3 s1, out int panel, out double x, out double y)
        {
            double s1Length = s1.Length;
            for (int i = 0; i < _panels.Length; i++)
            {
                if (s1.Dot(_coneAxis[i]) < _coneCos[i] * s1Length) continue;
                if (!_planes[i].Intersect(s1, out double xm, out double ym, out _)) continue;
                var p = _panels[i];
                double px = xm / p.PixelSize, py = ym / p.PixelSizeSlow;
                if (px >= 0 && py >= 0 && px < p.Width && py < p.Height) { panel = i; x = px; y = py; return true; }
            }
            panel = -1; x = y = double.NaN;
            return false;
        }

        /// <summary>Where the ray meets the plane of one given panel (the point may lie off the panel).</summary>
        public bool TryRayToPanelPlane(Vec3 s1, int panel, out double x, out double y)
        {
            if (!_planes[panel].Intersect(s1, out double xm, out double ym, out _)) { x = y = double.NaN; return false; }
            x = xm / _panels[panel].PixelSize; y = ym / _panels[panel].PixelSizeSlow;
            return true;
        }

        /// <summary>Predicts one reflection of setting matrix <paramref name="a"/> (no window). False when it cannot diffract
        /// or misses every panel.</summary>
        public bool TryPredict(Mat3 a, int h, int k, int l, out PredictedReflection reflection)
        {
            var r = a * new Vec3(h, k, l);
            if (!EwaldPrediction.TryPredict(_s0, _k0, _unitS0, r, out var ew)) { reflection = default; return false; }
            var s1 = ew.S1;
            double dpsi = ew.DeltaPsi;
            double exc = (_s0 + r).Length - _k0;
            bool hit = TryRayToPixel(s1, out int panel, out double x, out double y);
            reflection = new PredictedReflection(h, k, l, panel, x, y, dpsi, exc, 1 / Math.Sqrt(r.LengthSquared), s1);
            return hit;
        }

        /// <summary>Predicts reflection h on a given panel's plane (used by refinement, where the panel is known).</summary>
        internal bool TryPredictOnPanel(Mat3 a, Vec3 hkl, int panel, out double x, out double y, out double deltaPsi)
        {
            var r = a * hkl;
            if (!EwaldPrediction.TryPredict(_s0, _k0, _unitS0, r, out var ew)) { x = y = deltaPsi = double.NaN; return false; }
            deltaPsi = ew.DeltaPsi;
            return TryRayToPanelPlane(ew.S1, panel, out x, out y);
        }

        /// <summary>Every reflection of <paramref name="lattice"/> inside the resolution limits and the Δψ / excitation-error window.</summary>
        public IReadOnlyList<PredictedReflection> Predict(CrystalLattice lattice, StillsPredictionSettings settings)
        {
            if (lattice == null) throw new ArgumentNullException(nameof(lattice));
            if (settings.SpaceGroup == null && lattice.Symmetry != null)
                settings = new StillsPredictionSettings { DMin = settings.DMin, DMax = settings.DMax, MaxDeltaPsi = settings.MaxDeltaPsi,
                    MaxExcitationError = settings.MaxExcitationError, DeltaPsiPerAngstrom = settings.DeltaPsiPerAngstrom, OnDetectorOnly = settings.OnDetectorOnly, SpaceGroup = lattice.Symmetry };
            return Predict(lattice.AMatrix, settings);
        }

        /// <summary>Every reflection of setting matrix A = U·B inside the resolution limits and the Δψ / excitation-error window.</summary>
        public IReadOnlyList<PredictedReflection> Predict(Mat3 a, StillsPredictionSettings settings)
        {
            if (settings == null) throw new ArgumentNullException(nameof(settings));
            if (!(settings.DMin > 0)) throw new ArgumentOutOfRangeException(nameof(settings), "DMin must be a positive resolution in Å.");
            double qMax = Math.Min(1 / settings.DMin, 2 * _k0), qMin = double.IsPositiveInfinity(settings.DMax) ? 0 : 1 / settings.DMax;
            // |Δψ| ≤ w moves a point of length q by at most w·q, so an excitation error beyond that bound cannot pass; with
            // w = MaxDeltaPsi + DeltaPsiPerAngstrom/q the bound is MaxDeltaPsi·q + DeltaPsiPerAngstrom.
            double excMax = Math.Max(settings.MaxExcitationError, settings.MaxDeltaPsi * qMax + settings.DeltaPsiPerAngstrom) * 1.0001 + 1e-12;
            var real = a.Inverse(); // rows: a, b, c (Å)
            int hMax = (int)Math.Ceiling(real.Row1.Length * qMax), kMax = (int)Math.Ceiling(real.Row2.Length * qMax);
            var colA = a.Column1; var colB = a.Column2; var colC = a.Column3;
            double cc = colC.LengthSquared;
            var list = new List<PredictedReflection>();
            double rIn = Math.Max(0, _k0 - excMax), rOut = _k0 + excMax;
            Span<double> bounds = stackalloc double[4];
            for (int h = -hMax; h <= hMax; h++)
                for (int k = -kMax; k <= kMax; k++)
                {
                    var r0 = colA * h + colB * k;
                    var p = _s0 + r0;
                    // |p + l·c|² = R² ⇒ cc·l² + 2(p·c)·l + |p|² − R² = 0; the shell gives up to two l intervals.
                    double pc = p.Dot(colC), pp = p.LengthSquared;
                    double discOut = pc * pc - cc * (pp - rOut * rOut);
                    if (discOut < 0) continue;
                    double so = Math.Sqrt(discOut);
                    double lo1 = (-pc - so) / cc, hi2 = (-pc + so) / cc;
                    double discIn = pc * pc - cc * (pp - rIn * rIn);
                    int nIntervals;
                    if (discIn <= 0) { bounds[0] = lo1; bounds[1] = hi2; nIntervals = 1; }
                    else
                    {
                        double si = Math.Sqrt(discIn);
                        bounds[0] = lo1; bounds[1] = (-pc - si) / cc; bounds[2] = (-pc + si) / cc; bounds[3] = hi2; nIntervals = 2;
                    }
                    for (int iv = 0; iv < nIntervals; iv++)
                    {
                        int l0 = (int)Math.Ceiling(bounds[2 * iv]), l1 = (int)Math.Floor(bounds[2 * iv + 1]);
                        for (int l = l0; l <= l1; l++)
                        {
                            if (h == 0 && k == 0 && l == 0) continue;
                            var r = r0 + colC * l;
                            double q = r.Length;
                            if (q > qMax || q < qMin) continue;
                            double exc = (_s0 + r).Length - _k0;
                            if (Math.Abs(exc) > excMax) continue;
                            if (!EwaldPrediction.TryPredict(_s0, _k0, _unitS0, r, out var ew)) continue;
                            double dpsi = ew.DeltaPsi;
                            bool inWindow = Math.Abs(dpsi) <= settings.MaxDeltaPsi + settings.DeltaPsiPerAngstrom / q || Math.Abs(exc) <= settings.MaxExcitationError;
                            if (!inWindow) continue;
                            if (settings.SpaceGroup != null && settings.SpaceGroup.IsAbsent(h, k, l)) continue;
                            var s1 = ew.S1;
                            bool hit = TryRayToPixel(s1, out int panel, out double x, out double y);
                            if (!hit && settings.OnDetectorOnly) continue;
                            list.Add(new PredictedReflection(h, k, l, panel, x, y, dpsi, exc, 1 / q, s1));
                        }
                    }
                }
            return list;
        }
    }
}
