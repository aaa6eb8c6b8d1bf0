using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Geometry
{
    /// <summary>
    /// A node of the detector hierarchy (detector → quadrant → sensor → ASIC for a CSPAD). A group has a frame
    /// of its own (origin and axes, lab mm) so that metrology can move it as a rigid body, and it owns either
    /// child groups or panels (by index into <see cref="DetectorModel.Panels"/>), as DIALS's hierarchy does.
    /// </summary>
    public sealed class DetectorGroup
    {
        public DetectorGroup(string name, Vec3 origin, Vec3 fastAxis, Vec3 slowAxis,
            IEnumerable<DetectorGroup>? children = null, IEnumerable<int>? panelIndices = null)
        {
            Name = name ?? "";
            Origin = origin;
            FastAxis = fastAxis.Normalized();
            SlowAxis = slowAxis.Normalized();
            Children = (children ?? Enumerable.Empty<DetectorGroup>()).ToArray();
            PanelIndices = (panelIndices ?? Enumerable.Empty<int>()).ToArray();
        }

        public string Name { get; }
        public Vec3 Origin { get; }
        public Vec3 FastAxis { get; }
        public Vec3 SlowAxis { get; }
        public Vec3 Normal => FastAxis.Cross(SlowAxis).Normalized();
        public IReadOnlyList<DetectorGroup> Children { get; }
        /// <summary>Panels that hang directly below this group.</summary>
        public IReadOnlyList<int> PanelIndices { get; }

        /// <summary>Every panel index below this group, depth first, in order.</summary>
        public IEnumerable<int> AllPanelIndices()
        {
            foreach (var c in Children)
                foreach (var i in c.AllPanelIndices())
                    yield return i;
            foreach (var i in PanelIndices) yield return i;
        }

        /// <summary>Depth of the tree below this group (0 when it holds panels only).</summary>
        public int Depth => Children.Count == 0 ? 0 : 1 + Children.Max(c => c.Depth);

        /// <summary>The groups at a given level below this one (0 = this group).</summary>
        public IReadOnlyList<DetectorGroup> GroupsAtLevel(int level)
        {
            if (level < 0) throw new ArgumentOutOfRangeException(nameof(level));
            IEnumerable<DetectorGroup> current = new[] { this };
            for (int l = 0; l < level; l++) current = current.SelectMany(g => g.Children).ToArray();
            return current.ToArray();
        }

        public override string ToString() => $"{Name} ({Children.Count} groups, {AllPanelIndices().Count()} panels)";
    }
}
