using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Formats
{
    /// <summary>
    /// Writes reflection tables as a CrystFEL stream (format 2.3, as indexamajig 0.9 writes it): the geometry block of
    /// the first table's detector, then one chunk per table with its peak list (the lattice's spots) and one crystal
    /// (cell in nm and degrees, reciprocal axes in nm⁻¹ in CrystFEL's frame, the reflections with I, σ(I), peak,
    /// background and data-array position). partialator and check_hkl read these lists. indexamajig corrects the pixels
    /// for polarisation before it integrates, so I and σ(I) are written times the reflection's Lorentz–polarisation
    /// factor where integration recorded one (for stills that factor is the polarisation correction alone).
    /// </summary>
    public sealed class CrystFelStreamWriter : ReflectionFileWriter
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        private DetectorModel? _detector;
        private Beam? _beam;
        private byte[]? _existing;
        private DetectorModel? _existingDetector;

        public CrystFelStreamWriter(string path) : base(path) { }

        public override int Add(ReflectionTable table)
        {
            var lattice = table.RefinedLattice as CrystalLattice ?? table.Lattice as CrystalLattice;
            if (lattice == null) throw new ArgumentException($"{table.ImageName}: a CrystFEL crystal needs a 3D crystal lattice; this table has none.");
            var detector = lattice.Detector ?? table.Image?.Detector;
            var beam = lattice.Beam ?? table.Image?.Beam;
            if (detector == null || beam == null) throw new ArgumentException($"{table.ImageName}: the lattice has no detector and beam; a stream chunk needs them.");
            if (_existingDetector != null && !SamePanels(_existingDetector, detector))
                throw new ArgumentException($"{table.ImageName}: the stream's geometry block has {_existingDetector.PanelCount} panel(s), this table's detector {detector.PanelCount} (or panels of other sizes); one stream holds one geometry, so write a new file.");
            _detector ??= detector;
            _beam ??= beam;
            int serial = TableCount + 1;
            var sb = new StringBuilder();
            // Tables that left integration hold no pixels: the file and frame come from their image source.
            var source = table.Source ?? lattice.Source;
            sb.Append("----- Begin chunk -----\n");
            sb.Append("Image filename: ").Append(source != null && source.Path.Length > 0 ? source.Path : table.ImageName).Append('\n');
            if (source != null && source.Frame > 0) sb.AppendFormat(Inv, "Event: //{0}\n", source.Frame);
            sb.AppendFormat(Inv, "Image serial number: {0}\n", serial);
            sb.Append("hit = 1\nindexed_by = xtalps\nn_indexing_tries = 1\n");
            sb.AppendFormat(Inv, "photon_energy_eV = {0:0.######}\n", beam.EnergyEv);
            sb.AppendFormat(Inv, "average_camera_length = {0:0.######} m\n", detector.Distance / 1000);
            var spots = lattice.Spots?.Spots;
            sb.AppendFormat(Inv, "num_peaks = {0}\n", spots?.Count ?? 0);
            sb.Append("Peaks from peak search\n  fs/px   ss/px (1/d)/nm^-1   Intensity  Panel\n");
            if (spots != null)
                foreach (var s in spots)
                {
                    var (fs, ss) = Slab(detector, s.Panel, s.X, s.Y);
                    double invD = s.D > 0 && !double.IsInfinity(s.D) ? 10 / s.D : 0;
                    sb.AppendFormat(Inv, "{0,7:0.00} {1,7:0.00} {2,10:0.00} {3,11:0.00}   {4}\n", fs, ss, invD, s.Intensity, PanelName(detector, s.Panel));
                }
            sb.Append("End of peak list\n");
            sb.Append("--- Begin crystal\n");
            var cell = lattice.UnitCell;
            sb.AppendFormat(Inv, "Cell parameters {0:0.00000} {1:0.00000} {2:0.00000} nm, {3:0.00000} {4:0.00000} {5:0.00000} deg\n",
                cell.A / 10, cell.B / 10, cell.C / 10, cell.Alpha, cell.Beta, cell.Gamma);
            var a = lattice.AMatrix;
            // Å⁻¹ in DIALS's frame → nm⁻¹ in CrystFEL's (x → −x, z → −z).
            void Axis(string name, Vec3 v) => sb.AppendFormat(Inv, "{0} = {1:+0.0000000;-0.0000000} {2:+0.0000000;-0.0000000} {3:+0.0000000;-0.0000000} nm^-1\n", name, -v.X * 10, v.Y * 10, -v.Z * 10);
            Axis("astar", a.Column1); Axis("bstar", a.Column2); Axis("cstar", a.Column3);
            var (type, centring, unique) = LatticeType(lattice);
            sb.Append("lattice_type = ").Append(type).Append('\n');
            sb.Append("centering = ").Append(centring).Append('\n');
            sb.Append("unique_axis = ").Append(unique).Append('\n');
            sb.AppendFormat(Inv, "num_reflections = {0}\n", table.Count);
            sb.Append("Reflections measured after indexing\n");
            sb.Append("   h    k    l          I   sigma(I)       peak background  fs/px  ss/px panel\n");
            foreach (var r in table.Reflections)
            {
                double x = double.IsNaN(r.X) ? r.PredictedX : r.X, y = double.IsNaN(r.Y) ? r.PredictedY : r.Y;
                var (fs, ss) = Slab(detector, r.Panel, x, y);
                double lp = r.LorentzPolarisation > 0 && !double.IsInfinity(r.LorentzPolarisation) ? r.LorentzPolarisation : 1;
                sb.AppendFormat(Inv, "{0,4} {1,4} {2,4} {3,10:0.00} {4,10:0.00} {5,10:0.00} {6,10:0.00} {7,6:0.0} {8,6:0.0} {9}\n",
                    r.H, r.K, r.L, Finite(r.Intensity * lp), Finite(r.Sigma * lp), Finite(r.Amplitude), Finite(r.IntegratedBackground), fs, ss, PanelName(detector, r.Panel));
            }
            sb.Append("End of reflections\n--- End crystal\n----- End chunk -----\n");
            var bytes = new UTF8Encoding(false).GetBytes(sb.ToString());
            Scratch.Write(bytes, 0, bytes.Length);
            TableCount++;
            RowCount += table.Count;
            return serial;
        }

        private static double Finite(double v) => double.IsNaN(v) || double.IsInfinity(v) ? 0 : v;

        private static string PanelName(DetectorModel d, int panel) =>
            panel >= 0 && panel < d.PanelCount && d.Panels[panel].Name.Length > 0 ? d.Panels[panel].Name : $"p{Math.Max(panel, 0)}";

        /// <summary>A panel position as a data-array position, with the windows the geometry block gives the panels.</summary>
        private static (double Fs, double Ss) Slab(DetectorModel d, int panel, double x, double y)
        {
            if (panel < 0 || panel >= d.PanelCount) return (x, y);
            bool allLaid = d.Panels.All(p => p.Layout != null);
            if (allLaid) return (x + d.Panels[panel].Layout!.FastOffset, y + d.Panels[panel].Layout!.SlowOffset);
            return (x, y + d.Panels.Take(panel).Sum(p => p.Height));
        }

        /// <summary>CrystFEL's lattice_type, centering and unique_axis for the lattice's space group.</summary>
        private static (string Type, char Centring, string Unique) LatticeType(CrystalLattice lattice)
        {
            var g = lattice.Symmetry;
            if (g == null) return ("triclinic", 'P', "?");
            char c = g.Centring;
            switch (g.LatticeSystem)
            {
                case LatticeSystem.Monoclinic: return ("monoclinic", c, "b");
                case LatticeSystem.Orthorhombic: return ("orthorhombic", c, "*");
                case LatticeSystem.Tetragonal: return ("tetragonal", c, "c");
                case LatticeSystem.Rhombohedral: return c == 'R' && lattice.UnitCell.Gamma > 119 ? ("hexagonal", 'H', "c") : ("rhombohedral", 'R', "*");
                case LatticeSystem.Hexagonal: return ("hexagonal", 'P', "c");
                case LatticeSystem.Cubic: return ("cubic", c, "*");
                default: return ("triclinic", 'P', "*");
            }
        }

        /// <summary>
        /// Keeps an existing stream first (for -Append): its bytes unchanged, then the new chunks, whose serial numbers
        /// follow its chunks. A stream has one geometry block, so new tables must be on a detector with the same panels.
        /// </summary>
        public void AddExisting(string path)
        {
            var contents = CrystFelStream.Read(path);
            if (contents.GeometryText.Trim().Length > 0)
                _existingDetector = CrystFelGeometry.Parse(path, contents.GeometryText).Detector;
            _existing = File.ReadAllBytes(path);
            TableCount += contents.Chunks.Count;
            RowCount += contents.Chunks.Sum(c => c.Crystals.Sum(x => (long)x.Reflections.Count));
        }

        private static bool SamePanels(DetectorModel a, DetectorModel b)
        {
            if (a.PanelCount != b.PanelCount) return false;
            for (int i = 0; i < a.PanelCount; i++)
            {
                var p = a.Panels[i]; var q = b.Panels[i];
                if (p.Width != q.Width || p.Height != q.Height) return false;
            }
            return true;
        }

        protected override void WriteStart(Stream target)
        {
            if (_existing != null)
            {
                target.Write(_existing, 0, _existing.Length);
                if (_existing.Length > 0 && _existing[_existing.Length - 1] != (byte)'\n') target.WriteByte((byte)'\n');
                return;
            }
            var sb = new StringBuilder();
            sb.Append("CrystFEL stream format 2.3\n");
            sb.Append("Generated by XtalPS\n");
            if (_detector != null)
            {
                sb.Append("----- Begin geometry file -----\n");
                sb.Append(CrystFelGeometry.ToText(_detector, _beam));
                if (sb[sb.Length - 1] != '\n') sb.Append('\n');
                sb.Append("----- End geometry file -----\n");
            }
            var bytes = new UTF8Encoding(false).GetBytes(sb.ToString());
            target.Write(bytes, 0, bytes.Length);
        }

        protected override void WriteEnd(Stream target) { }
    }
}
