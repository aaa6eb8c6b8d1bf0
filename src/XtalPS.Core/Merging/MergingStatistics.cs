using System;
using System.Collections.Generic;
using System.Globalization;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>Merging statistics of one resolution shell (or of all data).</summary>
    public sealed class ShellStatistics
    {
        /// <summary>Low- and high-resolution limits, Å.</summary>
        public double DMax { get; set; }
        public double DMin { get; set; }
        public int Observations { get; set; }
        public int Unique { get; set; }
        /// <summary>Unique reflections possible in the shell (systematic absences left out).</summary>
        public int Possible { get; set; }
        /// <summary>Percent.</summary>
        public double Completeness => Possible > 0 ? 100.0 * Unique / Possible : double.NaN;
        public double Multiplicity => Unique > 0 ? (double)Observations / Unique : double.NaN;
        public double MeanIOverSigma { get; set; } = double.NaN;
        /// <summary>Pearson correlation of the two half-set means (lattices split by stable id).</summary>
        public double CCHalf { get; set; } = double.NaN;
        /// <summary>Karplus &amp; Diederichs 2012: CC* = √(2 CC½ / (1 + CC½)), the correlation the full data would have with the truth.</summary>
        public double CCStar => CCHalf > 0 ? Math.Sqrt(2 * CCHalf / (1 + CCHalf)) : double.NaN;
        /// <summary>White et al. 2012: Rsplit = (1/√2)·Σ|I₁ − I₂| / (½·Σ(I₁ + I₂)), percent.</summary>
        public double RSplit { get; set; } = double.NaN;
        /// <summary>Diederichs &amp; Karplus 1997: multiplicity-weighted R, percent.</summary>
        public double RMeas { get; set; } = double.NaN;
        /// <summary>Weiss 2001: precision-indicating R, percent.</summary>
        public double RPim { get; set; } = double.NaN;
        /// <summary>Correlation of the half-set anomalous differences (acentric reflections with I(+) and I(−) in both halves).</summary>
        public double CCAno { get; set; } = double.NaN;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0:0.00}-{1:0.00} Å: {2} unique, {3:0.0}% complete, CC½ {4:0.000}",
            DMax, DMin, Unique, Completeness, CCHalf);
    }

    /// <summary>
    /// Merging statistics per shell and overall, the refined error model, the lattices used and rejected, and a
    /// resolution estimate: the d where CC½ falls to 0.3 (interpolated between shell centres in 1/d²), as dials.merge
    /// and AIMLESS estimate it.
    /// </summary>
    public sealed class MergingStatistics
    {
        public IReadOnlyList<ShellStatistics> Shells { get; set; } = Array.Empty<ShellStatistics>();
        public ShellStatistics Overall { get; set; } = new ShellStatistics();
        public double SdFac { get; set; } = 1;
        public double SdAdd { get; set; }
        /// <summary>The error model's relative uncertainty of the partiality correction per unit −2 ln P.</summary>
        public double SdPartiality { get; set; }
        public int LatticesUsed { get; set; }
        public int LatticesRejected { get; set; }
        /// <summary>d (Å) where CC½ falls to 0.3; the high limit of the data when it never does; NaN when it is already below 0.3 in the first shell.</summary>
        public double ResolutionEstimate { get; set; } = double.NaN;
        /// <summary>Normalised deviations δ = (I − x⟨I⟩)/σ'·√(n/(n−1)) of observations from the mean of their reflection
        /// (n ≥ 2), under the final error model, sorted ascending; a deterministic sample of at most
        /// <see cref="NormalDeviationSample"/>. Their normal probability plot (Howell &amp; Smith 1992, J. Appl. Cryst. 25:81)
        /// is a straight line of slope 1 through the origin when the σ are right.</summary>
        public IReadOnlyList<double> NormalDeviations { get; set; } = Array.Empty<double>();
        /// <summary>The most normalised deviations kept in <see cref="NormalDeviations"/>.</summary>
        public const int NormalDeviationSample = 20_000;

        /// <summary>Statistics of <paramref name="merged"/>; <paramref name="absoluteDeviation"/>[r] = Σᵢ|Iᵢ − ⟨I⟩| and
        /// <paramref name="sumIntensity"/>[r] = Σᵢ Iᵢ over the observations merged into reflection r (scaled and corrected).</summary>
        public static MergingStatistics Compute(MergedReflections merged, double[] absoluteDeviation, double[] sumIntensity, int shells, double dMin, double dMax)
        {
            var stats = new MergingStatistics();
            if (merged.Count == 0 || !(dMin > 0)) return stats;
            if (!(dMax > dMin)) dMax = dMin * 10;
            shells = Math.Max(1, shells);
            // Shells of equal reciprocal volume between dMax and dMin.
            double s3Lo = Math.Pow(1 / dMax, 3), s3Hi = Math.Pow(1 / dMin, 3);
            var limits = new double[shells + 1];
            for (int b = 0; b <= shells; b++) limits[b] = 1 / Math.Pow(s3Lo + (s3Hi - s3Lo) * b / shells, 1.0 / 3);
            int ShellOf(double d)
            {
                double s3 = Math.Pow(1 / d, 3);
                int b = (int)((s3 - s3Lo) / (s3Hi - s3Lo) * shells);
                return Math.Max(0, Math.Min(shells - 1, b));
            }
            var possible = CountPossible(merged.SpaceGroup, merged.Cell, dMin, dMax, ShellOf, shells);
            var groups = new List<int>[shells + 1];
            for (int b = 0; b <= shells; b++) groups[b] = new List<int>();
            for (int r = 0; r < merged.Count; r++)
            {
                double d = merged.D[r];
                if (!(d >= dMin * 0.9999) || d > dMax * 1.0001 || merged.Multiplicity[r] == 0) continue;
                groups[ShellOf(d)].Add(r);
                groups[shells].Add(r);
            }
            var list = new List<ShellStatistics>();
            for (int b = 0; b <= shells; b++)
            {
                var s = Shell(merged, groups[b], absoluteDeviation, sumIntensity);
                if (b < shells) { s.DMax = limits[b]; s.DMin = limits[b + 1]; s.Possible = possible[b]; list.Add(s); }
                else { s.DMax = dMax; s.DMin = dMin; int all = 0; foreach (int p in possible) all += p; s.Possible = all; stats.Overall = s; }
            }
            stats.Shells = list;
            stats.ResolutionEstimate = CcHalfCut(list, 0.3);
            return stats;
        }

        private static ShellStatistics Shell(MergedReflections m, List<int> rows, double[] absDev, double[] sumI)
        {
            var s = new ShellStatistics { Unique = rows.Count };
            int obs = 0; double sumIs = 0; int nIs = 0;
            double rmeasNum = 0, rpimNum = 0, rDen = 0;
            var h1 = new List<double>(); var h2 = new List<double>();
            var a1 = new List<double>(); var a2 = new List<double>();
            double splitNum = 0, splitDen = 0;
            foreach (int r in rows)
            {
                int n = m.Multiplicity[r];
                obs += n;
                if (m.Sigma[r] > 0) { sumIs += m.Intensity[r] / m.Sigma[r]; nIs++; }
                if (n > 1)
                {
                    rmeasNum += Math.Sqrt(n / (n - 1.0)) * absDev[r];
                    rpimNum += Math.Sqrt(1 / (n - 1.0)) * absDev[r];
                }
                rDen += sumI[r];
                if (!double.IsNaN(m.IHalf1[r]) && !double.IsNaN(m.IHalf2[r]))
                {
                    h1.Add(m.IHalf1[r]); h2.Add(m.IHalf2[r]);
                    splitNum += Math.Abs(m.IHalf1[r] - m.IHalf2[r]); splitDen += 0.5 * (m.IHalf1[r] + m.IHalf2[r]);
                }
            }
            s.Observations = obs;
            s.MeanIOverSigma = nIs > 0 ? sumIs / nIs : double.NaN;
            s.RMeas = rDen > 0 ? 100 * rmeasNum / rDen : double.NaN;
            s.RPim = rDen > 0 ? 100 * rpimNum / rDen : double.NaN;
            s.CCHalf = h1.Count >= 3 ? Correlation(h1, h2) : double.NaN;
            s.RSplit = splitDen > 0 ? 100 * splitNum / splitDen / Math.Sqrt(2) : double.NaN;
            foreach (int r in rows)
                if (!double.IsNaN(m.AnomalousHalf1[r]) && !double.IsNaN(m.AnomalousHalf2[r])) { a1.Add(m.AnomalousHalf1[r]); a2.Add(m.AnomalousHalf2[r]); }
            s.CCAno = a1.Count >= 3 ? Correlation(a1, a2) : double.NaN;
            return s;
        }

        /// <summary>Pearson correlation.</summary>
        public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
        {
            int n = x.Count;
            double mx = 0, my = 0;
            for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
            mx /= n; my /= n;
            double sxy = 0, sxx = 0, syy = 0;
            for (int i = 0; i < n; i++) { double a = x[i] - mx, b = y[i] - my; sxy += a * b; sxx += a * a; syy += b * b; }
            return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
        }

        private static double CcHalfCut(IReadOnlyList<ShellStatistics> shells, double level)
        {
            if (shells.Count == 0) return double.NaN;
            double Mid(ShellStatistics s) => 0.5 * (1 / (s.DMax * s.DMax) + 1 / (s.DMin * s.DMin));
            for (int i = 0; i < shells.Count; i++)
            {
                double cc = shells[i].CCHalf;
                if (double.IsNaN(cc) || cc >= level) continue;
                if (i == 0) return double.NaN;
                double c0 = shells[i - 1].CCHalf, x0 = Mid(shells[i - 1]), x1 = Mid(shells[i]);
                double x = x0 + (c0 - level) / (c0 - cc) * (x1 - x0);
                return 1 / Math.Sqrt(x);
            }
            return shells[shells.Count - 1].DMin;
        }

        /// <summary>Unique reflections (not absent) in each shell: every index in a box around the resolution sphere,
        /// kept when it is its own asymmetric-unit representative.</summary>
        private static int[] CountPossible(SpaceGroup group, UnitCell cell, double dMin, double dMax, Func<double, int> shellOf, int shells)
        {
            var counts = new int[shells];
            var asu = new ReciprocalAsu(group);
            int hMax = (int)Math.Ceiling(cell.A / dMin), kMax = (int)Math.Ceiling(cell.B / dMin), lMax = (int)Math.Ceiling(cell.C / dMin);
            if ((long)(2 * hMax + 1) * (2 * kMax + 1) * (2 * lMax + 1) > 400_000_000L) return counts;
            var b = cell.BMatrix;
            double q2Max = 1 / (dMin * dMin), q2Min = 1 / (dMax * dMax);
            for (int h = -hMax; h <= hMax; h++)
                for (int k = -kMax; k <= kMax; k++)
                    for (int l = -lMax; l <= lMax; l++)
                    {
                        if (h == 0 && k == 0 && l == 0) continue;
                        double x = b.M11 * h + b.M12 * k + b.M13 * l, y = b.M21 * h + b.M22 * k + b.M23 * l, z = b.M31 * h + b.M32 * k + b.M33 * l;
                        double q2 = x * x + y * y + z * z;
                        if (q2 > q2Max * (1 + 1e-9) || q2 < q2Min * (1 - 1e-9)) continue;
                        if (!asu.IsInside(h, k, l) || group.IsAbsent(h, k, l)) continue;
                        var e = asu.Map(h, k, l, out _);
                        if (e != (h, k, l)) continue;
                        counts[shellOf(1 / Math.Sqrt(q2))]++;
                    }
            return counts;
        }
    }
}
