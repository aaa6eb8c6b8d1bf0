using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>
    /// The merged lattice lines as a merged data set of a 3D crystal (what <see cref="Formats.MergedMtzWriter"/> writes):
    /// cell a, b, γ of the layer with c the thickness (α = β = 90°), the space group of the plane group
    /// (<see cref="PlaneGroup.SpaceGroupSymbol"/>), each sample (h, k, l) of a lattice line at z* = l/c moved into the
    /// CCP4 asymmetric unit, IMEAN/SIGIMEAN the curve's value and σ there, N the measurements on the line, centric
    /// flags and FreeR_flag as for any merged set. There are no anomalous or half-set means (NaN): one curve is fitted
    /// to all images of a line.
    /// </summary>
    public static class LatticeLineMergedTable
    {
        /// <summary>The merged table; <paramref name="wavelength"/> (Å) goes to the MTZ data set (0 when unknown).</summary>
        /// <exception cref="ArgumentException">The plane group has no 3D setting in the space-group table (c12_a).</exception>
        public static MergedReflectionTable Build(LatticeLineMergeResult result, IReadOnlyList<string> provenance, string name = "lattice_lines", double wavelength = 0)
        {
            if (result == null) throw new ArgumentNullException(nameof(result));
            var s = result.Settings;
            var plane = PlaneGroup.Parse(s.PlaneGroup);
            if (plane.SpaceGroupSymbol == null) throw new ArgumentException(plane.SpaceGroupProblem);
            var group = SpaceGroup.Parse(plane.SpaceGroupSymbol);
            var cell = new UnitCell(s.Cell.A, s.Cell.B, s.Thickness, 90, 90, s.Cell.Gamma);
            var asu = new ReciprocalAsu(group);
            // One row per reflection of the asymmetric unit (a sample on an even line at l = 0 is its own mate).
            var rows = new SortedDictionary<(int H, int K, int L), MergedLatticePoint>();
            foreach (var p in result.Reflections)
            {
                if (group.IsAbsent(p.H, p.K, p.L) || double.IsNaN(p.Intensity)) continue;
                var key = asu.Map(p.H, p.K, p.L, out _);
                if (!rows.ContainsKey(key)) rows[key] = p;
            }
            var m = new MergedReflections(rows.Count) { Name = name, SpaceGroup = group, Cell = cell, Wavelength = wavelength };
            int r = 0;
            foreach (var kv in rows)
            {
                var (h, k, l) = kv.Key; var p = kv.Value;
                m.H[r] = h; m.K[r] = k; m.L[r] = l; m.D[r] = p.D;
                m.Intensity[r] = p.Intensity; m.Sigma[r] = p.Sigma; m.Multiplicity[r] = p.Observations;
                m.IPlus[r] = m.SigmaPlus[r] = m.IMinus[r] = m.SigmaMinus[r] = double.NaN;
                m.IHalf1[r] = m.IHalf2[r] = m.SigmaHalf1[r] = m.SigmaHalf2[r] = double.NaN;
                m.AnomalousHalf1[r] = m.AnomalousHalf2[r] = double.NaN;
                m.FreeR[r] = FreeRFlags.Of(h, k, l, null);
                m.Centric[r] = group.IsCentric(h, k, l);
                r++;
            }
            var stats = new MergingStatistics { LatticesUsed = result.Images.Count };
            stats.Overall = new ShellStatistics
            {
                DMax = rows.Count > 0 ? rows.Values.Max(x => x.D) : double.NaN, DMin = rows.Count > 0 ? rows.Values.Min(x => x.D) : double.NaN,
                Observations = result.ObservationCount, Unique = rows.Count,
                MeanIOverSigma = rows.Values.Where(x => x.Sigma > 0).Select(x => x.Intensity / x.Sigma).DefaultIfEmpty(double.NaN).Average(),
            };
            var lattices = result.Images.Select(im => new MergedLattice
            {
                Name = im.Name, Observations = im.Observations, Scale = im.Scale, BFactor = im.BFactor,
                Reindexing = im.Choice < 0 ? "ambiguity" : "",
            }).ToList();
            var history = new List<string>(provenance)
            {
                string.Format(CultureInfo.InvariantCulture, "Lattice lines: plane group {0} as {1}, thickness {2} A, {3} images, {4} lines", plane.Name, group.CompactSymbol, s.Thickness, result.Images.Count, result.Curves.Count),
            };
            return new MergedReflectionTable(m, stats, lattices, history);
        }
    }
}
