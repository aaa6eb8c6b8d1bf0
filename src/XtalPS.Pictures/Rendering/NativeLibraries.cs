using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace XtalPS.Pictures
{
    /// <summary>
    /// Finds SkiaSharp's and HarfBuzzSharp's native libraries when the module is loaded from its folder rather than as
    /// part of an application: the packages put them under runtimes/&lt;rid&gt;/native/ beside the assemblies, a folder
    /// only an application's deps.json would name.
    /// </summary>
    internal static class NativeLibraries
    {
        private static readonly object Gate = new object();
        private static bool _done;

        public static void EnsureResolvers()
        {
            if (_done) return;
            lock (Gate)
            {
                if (_done) return;
                Register(typeof(SkiaSharp.SKBitmap).Assembly);
                Register(typeof(HarfBuzzSharp.Blob).Assembly);
                _done = true;
            }
        }

        private static void Register(Assembly assembly)
        {
            try { NativeLibrary.SetDllImportResolver(assembly, Resolve); }
            catch (InvalidOperationException) { } // someone (the host application) set one already
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle)) return handle;
            string? dir = Path.GetDirectoryName(assembly.Location);
            if (string.IsNullOrEmpty(dir)) return IntPtr.Zero;
            string stem = OperatingSystem.IsWindows() || name.StartsWith("lib", StringComparison.Ordinal) ? name : "lib" + name;
            string file = stem + (OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so");
            foreach (var rid in RuntimeIds())
            {
                string candidate = Path.Combine(dir, "runtimes", rid, "native", file);
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out handle)) return handle;
            }
            return IntPtr.Zero;
        }

        private static string[] RuntimeIds()
        {
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            if (OperatingSystem.IsWindows()) return new[] { "win-" + arch };
            if (OperatingSystem.IsMacOS()) return new[] { "osx-" + arch, "osx" };
            bool musl = File.Exists("/etc/alpine-release");
            return musl ? new[] { "linux-musl-" + arch, "linux-" + arch } : new[] { "linux-" + arch };
        }
    }
}
