using System;
using System.Globalization;

namespace XtalPS.Internal
{
    /// <summary>
    /// The threads a command may use when the user gives no -ThrottleLimit: the CPUs Slurm granted the task
    /// (SLURM_CPUS_PER_TASK), else the local campaign scheduler's share per process (XTALPS_CPUS), else the
    /// processor count — so a process never runs more threads than the cores it was given.
    /// </summary>
    internal static class ThreadBudget
    {
        /// <summary>The environment variable through which the local scheduler hands each chunk process its share of the cores.</summary>
        public const string LocalShareVariable = "XTALPS_CPUS";

        public static int Default()
        {
            foreach (var name in new[] { "SLURM_CPUS_PER_TASK", LocalShareVariable })
                if (int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0) return n;
            return Environment.ProcessorCount;
        }
    }
}
