using System.Globalization;

namespace XtalPS.Metrology
{
    /// <summary>A progress note from <see cref="HierarchicalMetrology"/>: an iteration (with RMSDs) or a message.</summary>
    public sealed class MetrologyProgress
    {
        public MetrologyProgress(int level, int iteration, double rmsdX, double rmsdY, double rmsdDeltaPsi, string message, bool isWarning = false)
        {
            Level = level; Iteration = iteration; RmsdX = rmsdX; RmsdY = rmsdY; RmsdDeltaPsi = rmsdDeltaPsi; Message = message ?? ""; IsWarning = isWarning;
        }

        /// <summary>A message a user should see even without -Verbose (a parameter fixed that was meant to be refined, a level that stopped).</summary>
        public bool IsWarning { get; }

        public int Level { get; }
        /// <summary>Iteration number, 0 for a message that is not an iteration.</summary>
        public int Iteration { get; }
        public double RmsdX { get; }
        public double RmsdY { get; }
        /// <summary>RMSD of Δψ, degrees.</summary>
        public double RmsdDeltaPsi { get; }
        public string Message { get; }
        public bool IsIteration => Iteration > 0;

        public override string ToString() => IsIteration
            ? string.Format(CultureInfo.InvariantCulture, "level {0} iteration {1}: RMSD x {2:0.####} px, y {3:0.####} px, Δψ {4:0.#####}°", Level, Iteration, RmsdX, RmsdY, RmsdDeltaPsi)
            : Message;
    }
}
