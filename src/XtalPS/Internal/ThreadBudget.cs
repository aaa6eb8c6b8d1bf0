using System;
using System.Globalization;
using System.Threading;

namespace XtalPS.Internal
{
    /// <summary>
    /// The threads a command may use when the user gives no -ThrottleLimit: the CPUs Slurm granted the task
    /// (SLURM_CPUS_PER_TASK), else the local campaign scheduler's share per process (XTALPS_CPUS), else the
    /// processor count — so a process never runs more threads than the cores it was given.
    /// </summary>
    /// <remarks>
    /// The per-image stages (Import-DiffractionImage, Find-BraggSpot, Get-Lattice, Invoke-LatticeExtract,
    /// Invoke-PeakIntegration) also draw every work item from one process-wide pool of that many slots
    /// (<see cref="Enter"/>), so a pipeline of four stages that each run two images at once still computes on two
    /// threads in all, not eight; and work inside one image (Find-BraggSpot's panel bands) only takes slots that are
    /// free at that moment (<see cref="TryTakeExtra"/>), so no stage runs ThrottleLimit² threads. An explicit
    /// -ThrottleLimit larger than the pool grows the pool to it: the user asked for that many.
    /// </remarks>
    internal static class ThreadBudget
    {
        /// <summary>The environment variable through which the local scheduler hands each chunk process its share of the cores.</summary>
        public const string LocalShareVariable = "XTALPS_CPUS";

        private static readonly object Gate = new object();
        private static SemaphoreSlim? _pool;
        private static int _capacity;

        public static int Default()
        {
            foreach (var name in new[] { "SLURM_CPUS_PER_TASK", LocalShareVariable })
                if (int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0) return n;
            return Environment.ProcessorCount;
        }

        /// <summary>The process-wide pool, with at least <paramref name="atLeast"/> slots.</summary>
        public static SemaphoreSlim Pool(int atLeast = 1)
        {
            lock (Gate)
            {
                if (_pool == null)
                {
                    _capacity = Math.Max(1, Default());
                    _pool = new SemaphoreSlim(_capacity);
                }
                if (atLeast > _capacity)
                {
                    _pool.Release(atLeast - _capacity);
                    _capacity = atLeast;
                }
                return _pool;
            }
        }

        /// <summary>Slots in the pool now (its size, not how many are free).</summary>
        public static int Capacity
        {
            get { lock (Gate) return _pool == null ? Math.Max(1, Default()) : _capacity; }
        }

        /// <summary>The -ThrottleLimit a stage runs with: the user's when given, else <see cref="Default"/>.</summary>
        public static int Throttle(System.Management.Automation.PSCmdlet cmdlet, int given) =>
            cmdlet.MyInvocation.BoundParameters.ContainsKey("ThrottleLimit") ? given : Default();

        /// <summary>Takes one slot, waiting for it (work items of every stage go through here).</summary>
        public static void Enter(CancellationToken token) => Pool().Wait(token);

        public static void Exit() => Pool().Release();

        /// <summary>Up to <paramref name="wanted"/> slots that are free right now, without waiting; give them back with <see cref="ReturnExtra"/>.</summary>
        public static int TryTakeExtra(int wanted)
        {
            var pool = Pool();
            int got = 0;
            while (got < wanted && pool.Wait(0)) got++;
            return got;
        }

        public static void ReturnExtra(int count)
        {
            if (count > 0) Pool().Release(count);
        }
    }
}
