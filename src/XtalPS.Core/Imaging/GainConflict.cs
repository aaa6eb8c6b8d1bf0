using System;
using System.Globalization;
using System.Linq;

namespace XtalPS.Imaging
{
    /// <summary>
    /// Two explicit gains for one image: one already carried by the image (set by an earlier stage's -Gain) and one
    /// a later stage was given. The later stage's gain is used — it is the user's latest word — but silently
    /// measuring σ with a gain other than the one the spots were found with is the error this check exists for.
    /// </summary>
    public static class GainConflict
    {
        /// <summary>A warning text when the image carries an explicit gain that differs from <paramref name="requested"/>; null otherwise.
        /// The file's own gain is not a conflict: overriding it is what -Gain is for.</summary>
        public static string? Describe(DiffractionImage image, double requested, string stage)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            if (image.GainSource.Length == 0) return null;
            double carried = image.Detector.Panels[0].Gain;
            if (image.Detector.Panels.All(p => Math.Abs(p.Gain - requested) <= 1e-9 * Math.Max(1, requested))) return null;
            return string.Format(CultureInfo.InvariantCulture,
                "{0}: {1} -Gain {2:0.###} differs from the gain {3:0.###} that {4} set on the image; {1} uses {2:0.###} and its output carries it.",
                image.Name, stage, requested, carried, image.GainSource);
        }
    }
}
