using System;
using XtalPS.Geometry;

namespace XtalPS.Merging
{
    /// <summary>
    /// The per-lattice side of merging, as parallel arrays: stable id, setting matrix A = U·B and s0 as integrated,
    /// the range of the lattice's observations in the <see cref="ObservationStore"/>, and the parameters that scaling
    /// and post-refinement refine (scale G, relative B, rotations about x and y, the reciprocal-lattice-point width).
    /// </summary>
    public sealed class LatticeTable
    {
        private int _count;
        private long[] _id = new long[0];
        private string[] _name = new string[0];
        private Mat3[] _a = new Mat3[0];
        private Vec3[] _s0 = new Vec3[0];
        private int[] _first = new int[0], _length = new int[0], _group = new int[0];
        private double[] _scale = new double[0], _b = new double[0], _rotX = new double[0], _rotY = new double[0], _width = new double[0], _mosaic = new double[0], _cc = new double[0], _dcc = new double[0];
        private bool[] _rejected = new bool[0];
        private string?[] _rejection = new string?[0];
        private string[] _reindex = new string[0];

        public int Count => _count;
        /// <summary>Stable lattice id (FNV-1a of image path, frame and lattice index).</summary>
        public long[] Id => _id;
        /// <summary>Image name and lattice index, for messages.</summary>
        public string[] Name => _name;
        /// <summary>Setting matrix A = U·B as integrated (1/Å, lab frame).</summary>
        public Mat3[] SettingMatrix => _a;
        /// <summary>Incident beam vector s0 (1/Å).</summary>
        public Vec3[] S0 => _s0;
        public int[] FirstObservation => _first;
        public int[] ObservationCount => _length;
        /// <summary>The -SplitBy group of the lattice (0 without -SplitBy).</summary>
        public int[] Group => _group;
        /// <summary>Scale G: observed = G·exp(−B/(2d²))·partiality·I.</summary>
        public double[] Scale => _scale;
        /// <summary>Relative B factor, Å².</summary>
        public double[] BFactor => _b;
        /// <summary>Post-refined rotations about the lab x and y axes (perpendicular to the beam), rad.</summary>
        public double[] RotationX => _rotX;
        public double[] RotationY => _rotY;
        /// <summary>Width of the reciprocal-lattice point in fractional Miller-index units (≈ 0.4 / mosaic-block edge in cells).</summary>
        public double[] RlpWidth => _width;
        /// <summary>Angular spread η (rad) that broadens the point along the sphere normal by η·|r| on top of the rlp width
        /// (mosaic spread of the blocks; see <see cref="PartialityModel"/>).</summary>
        public double[] Mosaicity => _mosaic;
        /// <summary>Correlation of the lattice's corrected intensities with the merged reference in the last cycle.</summary>
        public double[] Correlation => _cc;
        /// <summary>ΔCC½ of the lattice in the last cycle (<see cref="Merging.DeltaCCHalf"/>; NaN when not computed).</summary>
        public double[] DeltaCCHalf => _dcc;
        public bool[] Rejected => _rejected;
        /// <summary>Why the lattice was rejected (null when it is used).</summary>
        public string?[] Rejection => _rejection;
        /// <summary>The reindexing applied to resolve an indexing ambiguity (e.g. "k,h,-l"; "" when none).</summary>
        public string[] Reindexing => _reindex;

        /// <summary>Appends a lattice whose observations start at <paramref name="first"/>; returns its position.</summary>
        public int Add(long id, string name, Mat3 settingMatrix, Vec3 s0, int first, int count, int group = 0)
        {
            if (_count == _id.Length) Resize(Math.Max(16, _count * 2));
            int i = _count++;
            _id[i] = id; _name[i] = name ?? ""; _a[i] = settingMatrix; _s0[i] = s0; _first[i] = first; _length[i] = count; _group[i] = group;
            _scale[i] = 1; _b[i] = 0; _rotX[i] = 0; _rotY[i] = 0; _width[i] = double.NaN; _mosaic[i] = PartialityModel.InitialMosaicity; _cc[i] = double.NaN; _dcc[i] = double.NaN; _rejected[i] = false; _rejection[i] = null; _reindex[i] = "";
            return i;
        }

        /// <summary>Sets the number of observations of the last lattice (they are added after it).</summary>
        public void SetObservationCount(int lattice, int count) => _length[lattice] = count;

        /// <summary>Marks a lattice as not used, with the reason.</summary>
        public void Reject(int lattice, string reason) { _rejected[lattice] = true; _rejection[lattice] = reason; }

        /// <summary>The half-set (0 or 1) of a lattice: a bit of its mixed stable id, so the split is the same in
        /// every run, at any thread count and however the input was chunked.</summary>
        public int HalfSet(int lattice)
        {
            ulong x = unchecked((ulong)_id[lattice]);
            x ^= x >> 33; x *= 0xff51afd7ed558ccdUL; x ^= x >> 33;
            return (int)(x & 1);
        }

        /// <summary>The setting matrix with the post-refined rotations applied: A' = Rx·Ry·A.</summary>
        public Mat3 RefinedSettingMatrix(int lattice) => Rotated(_a[lattice], _rotX[lattice], _rotY[lattice]);

        /// <summary>Rx(θx)·Ry(θy)·A.</summary>
        public static Mat3 Rotated(Mat3 a, double rotX, double rotY)
        {
            if (rotX == 0 && rotY == 0) return a;
            double cx = Math.Cos(rotX), sx = Math.Sin(rotX), cy = Math.Cos(rotY), sy = Math.Sin(rotY);
            var rx = new Mat3(1, 0, 0, 0, cx, -sx, 0, sx, cx);
            var ry = new Mat3(cy, 0, sy, 0, 1, 0, -sy, 0, cy);
            return rx * ry * a;
        }

        private void Resize(int n)
        {
            Array.Resize(ref _id, n); Array.Resize(ref _name, n); Array.Resize(ref _a, n); Array.Resize(ref _s0, n);
            Array.Resize(ref _first, n); Array.Resize(ref _length, n); Array.Resize(ref _group, n);
            Array.Resize(ref _scale, n); Array.Resize(ref _b, n); Array.Resize(ref _rotX, n); Array.Resize(ref _rotY, n);
            Array.Resize(ref _width, n); Array.Resize(ref _mosaic, n); Array.Resize(ref _cc, n); Array.Resize(ref _dcc, n); Array.Resize(ref _rejected, n); Array.Resize(ref _rejection, n); Array.Resize(ref _reindex, n);
        }
    }
}
