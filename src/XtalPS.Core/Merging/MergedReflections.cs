using System;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>
    /// Merged intensities of one data set (one -SplitBy group) in the asymmetric unit, as parallel arrays: the mean
    /// I and σ over all observations, the I(+)/I(−) means, the two half-set means (lattices split by stable id), the
    /// observation count, resolution and FreeR_flag.
    /// </summary>
    public sealed class MergedReflections
    {
        public MergedReflections(int count)
        {
            H = new int[count]; K = new int[count]; L = new int[count]; D = new double[count];
            Intensity = new double[count]; Sigma = new double[count]; Multiplicity = new int[count];
            IPlus = new double[count]; SigmaPlus = new double[count]; NPlus = new int[count];
            IMinus = new double[count]; SigmaMinus = new double[count]; NMinus = new int[count];
            IHalf1 = new double[count]; IHalf2 = new double[count]; SigmaHalf1 = new double[count]; SigmaHalf2 = new double[count];
            FreeR = new int[count]; Centric = new bool[count];
            AnomalousHalf1 = new double[count]; AnomalousHalf2 = new double[count];
        }

        public int Count => H.Length;
        public string Name { get; set; } = "";
        public SpaceGroup SpaceGroup { get; set; } = SpaceGroup.FromNumber(1);
        /// <summary>Mean cell of the merged lattices, constrained to the space group.</summary>
        public UnitCell Cell { get; set; }
        public double Wavelength { get; set; }
        public int[] H { get; }
        public int[] K { get; }
        public int[] L { get; }
        public double[] D { get; }
        public double[] Intensity { get; }
        public double[] Sigma { get; }
        /// <summary>Observations merged (N).</summary>
        public int[] Multiplicity { get; }
        public double[] IPlus { get; }
        public double[] SigmaPlus { get; }
        public int[] NPlus { get; }
        public double[] IMinus { get; }
        public double[] SigmaMinus { get; }
        public int[] NMinus { get; }
        public double[] IHalf1 { get; }
        public double[] IHalf2 { get; }
        public double[] SigmaHalf1 { get; }
        public double[] SigmaHalf2 { get; }
        /// <summary>I(+) − I(−) of each half-set (NaN when a half lacks either), for CCano.</summary>
        public double[] AnomalousHalf1 { get; }
        public double[] AnomalousHalf2 { get; }
        public int[] FreeR { get; }
        public bool[] Centric { get; }

        /// <summary>A copy holding only the reflections where <paramref name="keep"/> is true.</summary>
        public MergedReflections Select(Func<int, bool> keep)
        {
            int n = 0;
            for (int i = 0; i < Count; i++) if (keep(i)) n++;
            var m = new MergedReflections(n) { Name = Name, SpaceGroup = SpaceGroup, Cell = Cell, Wavelength = Wavelength };
            int j = 0;
            for (int i = 0; i < Count; i++)
            {
                if (!keep(i)) continue;
                m.H[j] = H[i]; m.K[j] = K[i]; m.L[j] = L[i]; m.D[j] = D[i]; m.Intensity[j] = Intensity[i]; m.Sigma[j] = Sigma[i];
                m.Multiplicity[j] = Multiplicity[i]; m.IPlus[j] = IPlus[i]; m.SigmaPlus[j] = SigmaPlus[i]; m.NPlus[j] = NPlus[i];
                m.IMinus[j] = IMinus[i]; m.SigmaMinus[j] = SigmaMinus[i]; m.NMinus[j] = NMinus[i]; m.IHalf1[j] = IHalf1[i];
                m.IHalf2[j] = IHalf2[i]; m.SigmaHalf1[j] = SigmaHalf1[i]; m.SigmaHalf2[j] = SigmaHalf2[i]; m.FreeR[j] = FreeR[i]; m.Centric[j] = Centric[i];
                m.AnomalousHalf1[j] = AnomalousHalf1[i]; m.AnomalousHalf2[j] = AnomalousHalf2[i];
                j++;
            }
            return m;
        }
    }
}
