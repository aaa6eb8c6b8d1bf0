using System;
using System.IO;
using BenchmarkDotNet.Running;

namespace XtalPS.Benchmarks
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            // `profile [FOLDER] [PASSES] [THREADS]`: the stopwatch profile of the stills pipeline (PipelineProfile).
            if (args.Length > 0 && args[0] == "profile") return PipelineProfile.Run(args);
            if (args.Length > 0 && args[0] == "fits") return PipelineProfile.Fits(args);
            if (args.Length > 0 && args[0] == "decode") return PipelineProfile.DecodeSteps(args);
            if (args.Length > 0 && args[0] == "pictures") return PictureProfile.Run(args);
            // `accuracy [FOLDER]`: integrated intensities of the stills pipeline against the simulator's truth (StillsAccuracy).
            if (args.Length > 0 && args[0] == "accuracy") return StillsAccuracy.Run(args);
            // `integrate [FOLDER]`: the steps of the stills integration stage (IntegrationSteps).
            if (args.Length > 0 && args[0] == "integrate") return IntegrationSteps.Run(args);
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
            return 0;
        }

        /// <summary>../shared/data beside the repository.</summary>
        public static string Data(string relative)
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null)
            {
                var candidate = Path.Combine(dir.FullName, "..", "shared", "data");
                if (File.Exists(Path.Combine(candidate, "dxtbx_reference.json"))) return Path.GetFullPath(Path.Combine(candidate, relative));
                dir = dir.Parent;
            }
            throw new DirectoryNotFoundException("../shared/data not found");
        }
    }
}
