using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;

namespace XtalPS.Metrology
{
    /// <summary>
    /// One rigid body of a hierarchy level: a detector group (with every panel and group below it) or, below the
    /// deepest groups, a single panel (framed at its centre). Its frame moves as it is refined.
    /// </summary>
    internal sealed class PanelGroupUnit
    {
        private PanelGroupUnit(string name, DetectorGroup? group, int[] panels, Vec3 origin, Vec3 fast, Vec3 slow)
        {
            Name = name; Group = group; Panels = panels;
            Origin = Origin0 = origin; Fast = Fast0 = fast; Slow = Slow0 = slow;
            Subtree = group == null ? new List<DetectorGroup>() : Descendants(group).ToList();
        }

        public string Name { get; }
        /// <summary>The detector group, or null for a single-panel unit.</summary>
        public DetectorGroup? Group { get; }
        public int[] Panels { get; }
        /// <summary>Groups that move with this unit (the group itself and all groups below it).</summary>
        public List<DetectorGroup> Subtree { get; }
        public Vec3 Origin { get; set; }
        public Vec3 Fast { get; set; }
        public Vec3 Slow { get; set; }
        public Vec3 Normal => Fast.Cross(Slow).Normalized();
        public Vec3 Origin0 { get; }
        public Vec3 Fast0 { get; }
        public Vec3 Slow0 { get; }

        private static IEnumerable<DetectorGroup> Descendants(DetectorGroup g)
        {
            yield return g;
            foreach (var c in g.Children) foreach (var d in Descendants(c)) yield return d;
        }

        /// <summary>The deepest level: every panel on its own (one more than the hierarchy's depth).</summary>
        public static int DeepestLevel(DetectorModel detector) => detector.Hierarchy.Depth + 1;

        /// <summary>The rigid bodies of hierarchy level <paramref name="level"/> (0 = the whole detector).</summary>
        public static List<PanelGroupUnit> AtLevel(DetectorModel detector, int level)
        {
            var units = new List<PanelGroupUnit>();
            Expand(detector, detector.Hierarchy, 0, level, units);
            return units;
        }

        private static void Expand(DetectorModel detector, DetectorGroup g, int depth, int level, List<PanelGroupUnit> units)
        {
            if (depth == level)
            {
                var panels = g.AllPanelIndices().ToArray();
                if (panels.Length > 0)
                    units.Add(new PanelGroupUnit(string.IsNullOrEmpty(g.Name) ? $"group {units.Count}" : g.Name, g, panels, g.Origin, g.FastAxis, g.SlowAxis));
                return;
            }
            foreach (var c in g.Children) Expand(detector, c, depth + 1, level, units);
            foreach (var i in g.PanelIndices)
            {
                var p = detector.Panels[i];
                units.Add(new PanelGroupUnit(string.IsNullOrEmpty(p.Name) ? $"panel {i}" : p.Name, null, new[] { i }, p.Centre, p.FastAxis, p.SlowAxis));
            }
        }
    }
}
