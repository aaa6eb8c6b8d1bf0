using System;
using System.Runtime.InteropServices;

namespace XtalPS.Benchmarks
{
    /// <summary>The calling thread's CPU time (POSIX clock_gettime with CLOCK_THREAD_CPUTIME_ID), NaN where it is not available.</summary>
    internal static class ThreadCpu
    {
        private const int ClockThreadCpuTimeId = 3;

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec { public long Seconds; public long Nanoseconds; }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        public static double Milliseconds()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return double.NaN;
            try { return ClockGetTime(ClockThreadCpuTimeId, out var t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds * 1e-6 : double.NaN; }
            catch (DllNotFoundException) { return double.NaN; }
            catch (EntryPointNotFoundException) { return double.NaN; }
        }
    }
}
