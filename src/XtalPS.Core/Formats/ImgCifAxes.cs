using System;
using System.Collections.Generic;
using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>One row of an imgCIF <c>_axis</c> loop with its setting for the frame being read.</summary>
    public sealed class ImgCifAxis
    {
        public ImgCifAxis(string id, string type, string equipment, string? dependsOn, Vec3 vector, Vec3 offset, string component)
        {
            Id = id; Type = type; Equipment = equipment; DependsOn = dependsOn; Vector = vector; Offset = offset; Component = component;
        }

        public string Id { get; }
        /// <summary><c>rotation</c>, <c>translation</c> or <c>general</c>.</summary>
        public string Type { get; }
        /// <summary><c>detector</c>, <c>goniometer</c>, <c>source</c>, <c>gravity</c>…</summary>
        public string Equipment { get; }
        /// <summary>The parent axis, or null at the root.</summary>
        public string? DependsOn { get; }
        /// <summary>Unit direction in the parent's frame.</summary>
        public Vec3 Vector { get; }
        /// <summary>Where this axis' frame sits in its parent's frame, mm.</summary>
        public Vec3 Offset { get; }
        /// <summary><c>_axis.equipment_component</c> (cctbx.xfel: detector_arm/quadrant/sensor/asic or detector_level_N).</summary>
        public string Component { get; }
        /// <summary>Rotation angle (degrees) for this frame.</summary>
        public double Angle { get; internal set; }
        /// <summary>Translation (mm) for this frame.</summary>
        public double Displacement { get; internal set; }

        public bool IsRotation => Type.Equals("rotation", StringComparison.OrdinalIgnoreCase);
        public bool IsTranslation => Type.Equals("translation", StringComparison.OrdinalIgnoreCase);

        public override string ToString() => $"{Id} {Type} {Vector} +{Offset} → {DependsOn ?? "."}";
    }

    /// <summary>
    /// The imgCIF axis tree and the transforms it defines (imgCIF/CBF dictionary, Bernstein &amp; Hammersley,
    /// International Tables G 3.7): a point p in the frame of axis A maps into A's parent frame as
    /// Offset_A + Motion_A(p), where Motion is the right-handed rotation by the axis' angle about its vector or
    /// the translation by its displacement along the vector; repeated up to the root gives lab coordinates,
    /// which imgCIF and DIALS share (beam along −z towards the sample, source axis (0,0,1)).
    /// </summary>
    public sealed class ImgCifAxes
    {
        /// <summary>Longest depends_on chain we follow; deeper (or cyclic) chains are rejected.</summary>
        public const int MaxDepth = 64;

        private readonly Dictionary<string, ImgCifAxis> _axes = new Dictionary<string, ImgCifAxis>(StringComparer.OrdinalIgnoreCase);

        public ImgCifAxes(IEnumerable<ImgCifAxis> axes)
        {
            foreach (var a in axes)
            {
                if (_axes.ContainsKey(a.Id)) throw new FormatException($"the axis {a.Id} is defined twice.");
                _axes[a.Id] = a;
            }
            foreach (var a in _axes.Values) Chain(a.Id);
        }

        public IEnumerable<ImgCifAxis> All => _axes.Values;
        public bool Contains(string id) => _axes.ContainsKey(id);

        public ImgCifAxis this[string id] =>
            _axes.TryGetValue(id, out var a) ? a : throw new FormatException($"the axis '{id}' is not defined in _axis.");

        /// <summary>The axis and its ancestors, from <paramref name="id"/> up to the root.</summary>
        public List<ImgCifAxis> Chain(string id)
        {
            var chain = new List<ImgCifAxis>();
            string? cur = id;
            while (cur != null)
            {
                if (chain.Count >= MaxDepth) throw new FormatException($"the depends_on chain of axis {id} is cyclic or deeper than {MaxDepth}.");
                var a = this[cur];
                chain.Add(a);
                cur = a.DependsOn;
            }
            return chain;
        }

        /// <summary>
        /// Lab position of <paramref name="local"/> given in the frame of the first axis of
        /// <paramref name="chain"/>, with optional displacements that replace the frame settings of up to two
        /// axes (the pixel axes of a panel).
        /// </summary>
        public static Vec3 ToLab(List<ImgCifAxis> chain, Vec3 local, ImgCifAxis? a1 = null, double d1 = 0, ImgCifAxis? a2 = null, double d2 = 0)
        {
            var p = local;
            foreach (var a in chain)
            {
                double setting = ReferenceEquals(a, a1) ? d1 : ReferenceEquals(a, a2) ? d2 : a.IsRotation ? a.Angle : a.Displacement;
                if (a.IsRotation) p = Mat3.Rotation(a.Vector, setting * Math.PI / 180) * p;
                else if (a.IsTranslation) p = p + a.Vector * setting;
                p = a.Offset + p;
            }
            return p;
        }

        /// <summary>The rotation part of the chain: where a direction of the first axis' frame points in the lab.</summary>
        public static Mat3 Rotation(List<ImgCifAxis> chain)
        {
            var m = Mat3.Identity;
            foreach (var a in chain)
                if (a.IsRotation) m = Mat3.Rotation(a.Vector, a.Angle * Math.PI / 180) * m;
            return m;
        }
    }
}
