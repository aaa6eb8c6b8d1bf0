using System;

namespace XtalPS.Merging
{
    /// <summary>
    /// Every measured intensity that merging uses, as parallel arrays (no object per observation): 35 bytes each, so
    /// 10⁵ lattices × 300 reflections take about 1.05 GB. An observation refers to its lattice by position in the
    /// <see cref="LatticeTable"/> and does not repeat any lattice data; a lattice's observations are contiguous.
    /// </summary>
    public sealed class ObservationStore
    {
        private int _count;
        private int[] _lattice = new int[0];
        private short[] _h = new short[0], _k = new short[0], _l = new short[0];
        private int[] _reflection = new int[0];
        private float[] _intensity = new float[0], _sigma = new float[0], _partiality = new float[0], _lorentz = new float[0], _invD2 = new float[0];
        private byte[] _flags = new byte[0];

        /// <summary>Bits of <see cref="Flags"/>.</summary>
        public const byte FriedelMinus = 1, Rejected = 2, Centric = 4;

        public ObservationStore(int capacity = 1024) => Grow(Math.Max(16, capacity));

        public int Count => _count;
        /// <summary>Position of the observation's lattice in the lattice table.</summary>
        public int[] Lattice => _lattice;
        /// <summary>Miller index as indexed on the still (the lattice's own setting), needed to predict it again.</summary>
        public short[] H => _h;
        public short[] K => _k;
        public short[] L => _l;
        /// <summary>Position of the unique (asymmetric-unit) reflection, set by <see cref="ReflectionIndex"/>.</summary>
        public int[] Reflection => _reflection;
        public float[] Intensity => _intensity;
        public float[] Sigma => _sigma;
        /// <summary>The recorded fraction (partiality, 0–1) of this observation under the current lattice parameters.</summary>
        public float[] Partiality => _partiality;
        /// <summary>The density factor g/∛V of <see cref="PartialityModel"/> under the current lattice parameters.</summary>
        public float[] Density => _lorentz;
        /// <summary>1/d², Å⁻².</summary>
        public float[] InvD2 => _invD2;
        public byte[] Flags => _flags;

        /// <summary>Bytes held per observation (the arrays' element sizes).</summary>
        public static int BytesPerObservation => 4 + 3 * 2 + 4 + 5 * 4 + 1;

        /// <summary>Appends one observation; returns its position.</summary>
        public int Add(int lattice, int h, int k, int l, double intensity, double sigma, double invD2)
        {
            if (h < short.MinValue || h > short.MaxValue || k < short.MinValue || k > short.MaxValue || l < short.MinValue || l > short.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(h), "Miller indices beyond ±32767.");
            if (_count == _lattice.Length) Grow(_count * 2);
            int i = _count++;
            _lattice[i] = lattice; _h[i] = (short)h; _k[i] = (short)k; _l[i] = (short)l;
            _intensity[i] = (float)intensity; _sigma[i] = (float)sigma; _invD2[i] = (float)invD2;
            _partiality[i] = 1; _lorentz[i] = 1; _reflection[i] = -1; _flags[i] = 0;
            return i;
        }

        /// <summary>Drops spare capacity (after the last table is added).</summary>
        public void Trim()
        {
            if (_count < _lattice.Length) Resize(_count);
        }

        private void Grow(int capacity) => Resize(capacity);

        private void Resize(int n)
        {
            Array.Resize(ref _lattice, n); Array.Resize(ref _h, n); Array.Resize(ref _k, n); Array.Resize(ref _l, n);
            Array.Resize(ref _reflection, n); Array.Resize(ref _intensity, n); Array.Resize(ref _sigma, n);
            Array.Resize(ref _partiality, n); Array.Resize(ref _lorentz, n); Array.Resize(ref _invD2, n); Array.Resize(ref _flags, n);
        }
    }
}
