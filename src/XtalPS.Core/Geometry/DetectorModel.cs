using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace XtalPS.Geometry
{
    /// <summary>
    /// A detector: its panels in file order and the hierarchy that groups them.
    /// </summary>
    /// <remarks>
    /// Lab frame and pixel convention are DIALS's throughout XtalPS: the beam travels along −z, +y is up, +x
    /// completes a right-handed frame; x = fast, y = slow; the first pixel covers [0,1) and its centre is 0.5.
    /// </remarks>
    public sealed class DetectorModel
    {
        public DetectorModel(string name, IEnumerable<Panel> panels, DetectorGroup? hierarchy = null)
        {
            Name = name ?? "";
            Panels = (panels ?? throw new ArgumentNullException(nameof(panels))).ToArray();
            if (Panels.Count == 0) throw new ArgumentException("A detector needs at least one panel.", nameof(panels));
            Hierarchy = hierarchy ?? new DetectorGroup(Name, Panels[0].Origin, Panels[0].FastAxis, Panels[0].SlowAxis,
                panelIndices: Enumerable.Range(0, Panels.Count));
            var seen = Hierarchy.AllPanelIndices().ToArray();
            if (seen.Length != Panels.Count || seen.Distinct().Count() != Panels.Count || seen.Any(i => i < 0 || i >= Panels.Count))
                throw new ArgumentException("The hierarchy must name every panel exactly once.", nameof(hierarchy));
        }

        /// <summary>A single flat panel facing the beam, centred as DIALS/dxtbx does for a miniCBF:
        /// fast axis +x, slow axis −y, beam centre (px) on the panel at <paramref name="distance"/> mm.</summary>
        public static DetectorModel SinglePanel(string name, int width, int height, double pixelSize, double distance,
            double beamCentreX, double beamCentreY, double trustedMin = double.NegativeInfinity, double trustedMax = double.PositiveInfinity,
            double gain = 1.0, double thickness = 0, string material = "")
        {
            var origin = new Vec3(-beamCentreX * pixelSize, beamCentreY * pixelSize, -distance);
            var panel = new Panel(name, width, height, pixelSize, origin, Vec3.UnitX, -Vec3.UnitY, trustedMin, trustedMax, gain,
                thickness: thickness, material: material);
            return new DetectorModel(name, new[] { panel });
        }

        public string Name { get; }
        public IReadOnlyList<Panel> Panels { get; }
        public DetectorGroup Hierarchy { get; }
        public int PanelCount => Panels.Count;
        /// <summary>Number of levels in the hierarchy above the panels (0 for a flat list of panels).</summary>
        public int HierarchyDepth => Hierarchy.Depth;

        public Panel this[int index] => Panels[index];

        /// <summary>The panel index named <paramref name="name"/>, or −1.</summary>
        public int IndexOf(string name)
        {
            for (int i = 0; i < Panels.Count; i++) if (Panels[i].Name == name) return i;
            return -1;
        }

        /// <summary>Where the ray along <paramref name="s1"/> hits the detector: panel index and pixel, or false.</summary>
        public bool TryRayToPixel(Vec3 s1, out int panel, out Vec2 pixel)
        {
            for (int i = 0; i < Panels.Count; i++)
            {
                if (Panels[i].TryRayToPixel(s1, out pixel) && Panels[i].Contains(pixel)) { panel = i; return true; }
            }
            panel = -1; pixel = default;
            return false;
        }

        /// <summary>The pixel (panel 0 for a single panel) where the direct beam meets the detector plane, if it does.</summary>
        public bool TryBeamCentre(Beam beam, out int panel, out Vec2 pixel)
        {
            var s0 = beam.S0;
            for (int i = 0; i < Panels.Count; i++)
                if (Panels[i].TryRayToPixel(s0, out pixel) && Panels[i].Contains(pixel)) { panel = i; return true; }
            if (Panels.Count > 0 && Panels[0].TryRayToPixel(s0, out pixel)) { panel = 0; return true; }
            panel = -1; pixel = default;
            return false;
        }

        /// <summary>Distance (mm) from the sample to the plane of panel 0 along its normal.</summary>
        public double Distance => Math.Abs(Panels[0].Origin.Dot(Panels[0].Normal));

        /// <summary>A copy with new panels (same hierarchy shape, same order).</summary>
        public DetectorModel WithPanels(IEnumerable<Panel> panels, DetectorGroup? hierarchy = null) =>
            new DetectorModel(Name, panels, hierarchy ?? Hierarchy);

        public override string ToString()
        {
            var p = Panels[0];
            return Panels.Count == 1
                ? string.Format(CultureInfo.InvariantCulture, "{0}: 1 panel {1}x{2} px, {3:0.###} mm pixels, {4:0.##} mm", Name, p.Width, p.Height, p.PixelSize, Distance)
                : string.Format(CultureInfo.InvariantCulture, "{0}: {1} panels in {2} levels, {3:0.###} mm pixels", Name, Panels.Count, HierarchyDepth, p.PixelSize);
        }
    }
}
