using System;
using System.Collections.Generic;
using XtalPS.Integration;

namespace XtalPS.Formats
{
    /// <summary>
    /// The columns XtalPS writes for a reflection, shared by the MTZ, CSV and JSON files so they read back alike.
    /// Labels follow CCP4 habits where one exists (H K L, M/ISYM, BATCH, I, SIGI, XDET, YDET).
    /// </summary>
    public static class ReflectionFileColumns
    {
        public sealed class Column
        {
            public Column(string label, char mtzType, Func<Reflection, double> get, Action<Reflection, double> set, string description)
            { Label = label; MtzType = mtzType; Get = get; Set = set; Description = description; }
            public string Label { get; }
            /// <summary>CCP4 column type letter.</summary>
            public char MtzType { get; }
            public Func<Reflection, double> Get { get; }
            public Action<Reflection, double> Set { get; }
            public string Description { get; }
        }

        private static int I(double v) => double.IsNaN(v) ? 0 : (int)Math.Round(v);

        public static readonly IReadOnlyList<Column> All = new[]
        {
            new Column("H", 'H', r => r.H, (r, v) => r.H = I(v), "Miller index h"),
            new Column("K", 'H', r => r.K, (r, v) => r.K = I(v), "Miller index k"),
            new Column("L", 'H', r => r.L, (r, v) => r.L = I(v), "Miller index l (0 for planar lattices)"),
            new Column("M/ISYM", 'Y', r => 1, (r, v) => { }, "CCP4 symmetry number: in MTZ files how H K L (asymmetric unit) map back to the indices as measured; 1 in CSV and JSON, which keep them"),
            new Column("BATCH", 'B', r => r.Batch, (r, v) => r.Batch = I(v), "image number, 1-based"),
            new Column("I", 'J', r => r.Intensity, (r, v) => r.Intensity = v, "integrated intensity"),
            new Column("SIGI", 'Q', r => r.Sigma, (r, v) => r.Sigma = v, "σ of I"),
            new Column("XDET", 'R', r => r.X, (r, v) => r.X = v, "fitted centre x (fast), px"),
            new Column("YDET", 'R', r => r.Y, (r, v) => r.Y = v, "fitted centre y (slow), px"),
            new Column("SIGXDET", 'R', r => r.XSigma, (r, v) => r.XSigma = v, "σ of XDET"),
            new Column("SIGYDET", 'R', r => r.YSigma, (r, v) => r.YSigma = v, "σ of YDET"),
            new Column("XPRED", 'R', r => r.PredictedX, (r, v) => r.PredictedX = v, "predicted (refined lattice) x, px"),
            new Column("YPRED", 'R', r => r.PredictedY, (r, v) => r.PredictedY = v, "predicted y, px"),
            new Column("PANEL", 'I', r => r.Panel, (r, v) => r.Panel = I(v), "panel index"),
            new Column("AMPLITUDE", 'R', r => r.Amplitude, (r, v) => r.Amplitude = v, "Gaussian peak height"),
            new Column("SIGAMPLITUDE", 'R', r => r.AmplitudeSigma, (r, v) => r.AmplitudeSigma = v, "σ of the peak height"),
            new Column("SIGMA_MAJOR", 'R', r => r.SigmaMajor, (r, v) => r.SigmaMajor = v, "Gaussian σ along the major axis, px"),
            new Column("SIGMA_MINOR", 'R', r => r.SigmaMinor, (r, v) => r.SigmaMinor = v, "Gaussian σ along the minor axis, px"),
            new Column("ORIENTATION", 'R', r => r.Orientation, (r, v) => r.Orientation = v, "major axis from +x, degrees"),
            new Column("FIT_C", 'R', r => r.Background, (r, v) => r.Background = v, "fitted background offset C at the centre"),
            new Column("FIT_PX", 'R', r => r.TiltX, (r, v) => r.TiltX = v, "fitted background tilt Px"),
            new Column("FIT_PY", 'R', r => r.TiltY, (r, v) => r.TiltY = v, "fitted background tilt Py"),
            new Column("FIT_CHISQ", 'R', r => r.FitChiSquare, (r, v) => r.FitChiSquare = v, "reduced χ² of the Gaussian fit"),
            new Column("WELL_BEHAVED", 'I', r => r.WellBehaved ? 1 : 0, (r, v) => r.WellBehaved = I(v) != 0, "1 when the fit passed every limit"),
            new Column("BG_INT", 'R', r => r.IntegratedBackground, (r, v) => r.IntegratedBackground = v, "background per pixel from the integration rim"),
            new Column("BG_ICAL", 'R', r => r.IntercalatedBackground, (r, v) => r.IntercalatedBackground = v, "intercalated background"),
            new Column("NPEAK", 'I', r => r.PeakPixels, (r, v) => r.PeakPixels = I(v), "pixels summed"),
            new Column("NBG", 'I', r => r.BackgroundPixels, (r, v) => r.BackgroundPixels = I(v), "background pixels"),
            new Column("BOX", 'I', r => r.BoxSize, (r, v) => r.BoxSize = I(v), "half-size of the peak box used"),
            new Column("FLAGS", 'I', r => (int)r.Flags, (r, v) => r.Flags = (ReflectionFlags)I(v), "ReflectionFlags bits"),
            new Column("D", 'R', r => r.D, (r, v) => r.D = v, "resolution d, Å"),
            new Column("ZSTAR", 'R', r => r.ZStar, (r, v) => r.ZStar = v, "tilted 2D crystals: z* on the lattice line, 1/Å (sign of the tilt resolved when merging)"),
            new Column("SIGZSTAR", 'R', r => r.ZStarSigma, (r, v) => r.ZStarSigma = v, "σ of ZSTAR, 1/Å"),
            new Column("DELPSI", 'R', r => r.DeltaPsi, (r, v) => r.DeltaPsi = v, "stills: rotation onto the Ewald sphere Δψ, rad"),
            new Column("EXCITATION_ERROR", 'R', r => r.ExcitationError, (r, v) => r.ExcitationError = v, "stills: excitation error |s0 + r| − |s0|, 1/Å"),
            new Column("PARTIALITY", 'R', r => r.Partiality, (r, v) => r.Partiality = v, "stills: expected recorded fraction of the full intensity, 0–1 (spot-extent model)"),
            new Column("LP", 'R', r => r.LorentzPolarisation, (r, v) => r.LorentzPolarisation = v, "Lorentz–polarisation factor: I × LP is corrected; I and SIGI are not"),
        };

        /// <summary>The column with this label, or null (case-insensitive).</summary>
        public static Column? Find(string label)
        {
            foreach (var c in All) if (string.Equals(c.Label, label, StringComparison.OrdinalIgnoreCase)) return c;
            return null;
        }
    }
}
